import type { ClueInput, StageOutcome } from '../../core/clues';
import { uniqueTokens } from '../../core/tokens';
import { loadConfig } from '../../core/config';
import { openStore, type SaveImageInput, type Store } from '../../store';
import { searchQuery, type SearchQuery } from '../../core/search-query';

/** A store on the real database server, in a database of its own. */
export async function openTestStore(name: string): Promise<{ store: Store; dbName: string }> {
  const cfg = loadConfig();
  const dbName = `test_${name}_${Date.now().toString(36)}`;
  return { store: await openStore(cfg.mongo.uri, dbName), dbName };
}

/** A text line as the OCR stage stores it: tokens, a line box and a box per word. */
export function textClue(value: string, score = 0.9): ClueInput {
  const words = value.split(' ').map((text, i) => ({ text, confidence: score, box: { x: 1 + 40 * i, y: 2, w: 35, h: 10 } }));
  return { type: 'text', value, tokens: uniqueTokens(value, 2), score, box: { x: 1, y: 2, w: 40 * words.length, h: 10 }, detail: { words } };
}

export function objectClue(label: string, score = 0.8): ClueInput {
  return { type: 'object', value: label, tokens: uniqueTokens(label), score, box: { x: 5, y: 5, w: 50, h: 50 } };
}

export function imageInput(sha256: string, stages: Partial<Record<StageOutcome['stage'], ClueInput[]>>, pdq?: string): SaveImageInput {
  const outcomes: StageOutcome[] = Object.entries(stages).map(([stage, clues]) => ({
    stage: stage as StageOutcome['stage'],
    status: 'ok',
    model: { name: `test-${stage}`, version: '1' },
    clues: clues ?? [],
  }));
  if (pdq) outcomes.push({ stage: 'hashes', status: 'ok', clues: [], data: { md5: 'm', sha1: 's', pdq: { hash: pdq, quality: 100 } } });
  return { sha256, path: `/evidence/${sha256.slice(0, 8)}.jpg`, info: { width: 100, height: 100, format: 'jpeg', bytes: 1000 }, stages: outcomes };
}

export const sha = (n: number) => n.toString(16).padStart(64, '0');

/** One page of a search, with the defaults filled in as the API fills them. */
export function searchPage(store: Store, q: Partial<SearchQuery>) {
  return store.search.page(searchQuery(q));
}

/** The hits of a search's first page. */
export async function searchHits(store: Store, q: Partial<SearchQuery>) {
  return (await searchPage(store, q)).hits;
}

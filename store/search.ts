import type { Box, ClueInput, ClueType } from '../core/clues';
import { fuzzyScore, uniqueTokens } from '../core/tokens';
import type { SearchIndex } from './search-index';

// Clue search over our own tokens (no $text: FerretDB v1 lacks it): exact, prefix and fuzzy
// (trigram candidates, then edit distance). The index (search-index.ts) finds and scores the
// images; the store is read only for the page shown.

export type TextMode = 'exact' | 'prefix' | 'fuzzy';

export interface SearchQuery {
  text?: string;
  textMode?: TextMode;
  object?: string;
  scene?: string;
  location?: string;
  /** EXIF camera serial number. */
  serial?: string;
  caseId?: string;
  limit?: number;
  offset?: number;
}

export interface ClueMatch {
  type: ClueType;
  value: string;
  score?: number;
  box?: Box;
  /** The words of the clue that matched, with their boxes where the engine gave them. */
  highlights: { text: string; box?: Box }[];
}

export interface SearchHit {
  path: string;
  paths: string[];
  sha256: string;
  score: number;
  matches: ClueMatch[];
}

export interface SearchPage {
  total: number;
  offset: number;
  hits: SearchHit[];
}

interface Criterion {
  types: ClueType[];
  field?: string;
  terms: string[];
  mode: TextMode;
}

function tokenScore(mode: TextMode, term: string, token: string): number {
  if (mode === 'exact') return token === term ? 1 : 0;
  if (mode === 'prefix') return token.startsWith(term) ? 1 : 0;
  return fuzzyScore(term, token);
}

function criteria(q: SearchQuery): Criterion[] {
  const out: Criterion[] = [];
  const add = (types: ClueType[], value: string | undefined, mode: TextMode, field?: string) => {
    if (value !== undefined) out.push({ types, terms: uniqueTokens(value, types.includes('text') ? 2 : 1), mode, ...(field ? { field } : {}) });
  };
  // Words people gave (accepted crowd answers, analysts' tags) are found like words read in the image.
  add(['text', 'tag'], q.text, q.textMode ?? 'exact');
  add(['object'], q.object, 'exact');
  add(['scene'], q.scene, 'exact');
  add(['location'], q.location, 'exact');
  add(['metadata'], q.serial, 'exact', 'serial');
  return out;
}

function highlights(c: Criterion, d: ClueInput): { text: string; box?: Box }[] {
  const words = (d.detail?.words as { text: string; box?: Box }[] | undefined) ?? [{ text: d.value, ...(d.box ? { box: d.box } : {}) }];
  return words
    .filter((w) => uniqueTokens(w.text).some((t) => c.terms.some((term) => tokenScore(c.mode, term, t) > 0)))
    .map((w) => ({ text: w.text, ...(w.box ? { box: w.box } : {}) }));
}

/** What the page of results needs of one image: where it is, and its clues. */
export type ImageDetails = (sha256: string) => Promise<{ paths: string[]; clues: ClueInput[] } | null>;

function matchesOf(list: Criterion[], clues: ClueInput[]): ClueMatch[] {
  const out: ClueMatch[] = [];
  for (const c of list) {
    for (const d of clues) {
      if (!c.types.includes(d.type) || (c.field && d.detail?.field !== c.field)) continue;
      if (!c.terms.some((term) => d.tokens.some((t) => tokenScore(c.mode, term, t) > 0))) continue;
      out.push({ type: d.type, value: d.value, ...(d.score !== undefined ? { score: d.score } : {}), ...(d.box ? { box: d.box } : {}), highlights: highlights(c, d) });
    }
  }
  return out;
}

/**
 * The first `k` items in `before` order, without sorting them all: a common label has tens of
 * thousands of candidates and a page shows twenty (a bounded heap, n log k).
 */
export function firstRanked<T>(items: T[], k: number, before: (a: T, b: T) => number): T[] {
  if (items.length <= k * 4) return [...items].sort(before).slice(0, k);
  // Max-heap on `before`: its root is the worst item kept so far.
  const heap: T[] = [];
  const worse = (i: number, j: number) => before(heap[i]!, heap[j]!) > 0;
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  for (const item of items) {
    if (heap.length < k) {
      heap.push(item);
      for (let i = heap.length - 1; i > 0 && worse(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    } else if (before(item, heap[0]!) < 0) {
      heap[0] = item;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < k && worse(l, m)) m = l;
        if (r < k && worse(r, m)) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
    }
  }
  return heap.sort(before);
}

/**
 * Images whose clues meet every criterion (AND), best first, one page of them. Candidates and
 * scores come from the in-memory index; only the page shown is read from the store.
 */
export async function searchClues(index: SearchIndex, details: ImageDetails, q: SearchQuery): Promise<SearchPage> {
  const limit = Math.min(Math.max(q.limit ?? 20, 1), 500);
  const offset = Math.max(q.offset ?? 0, 0);
  const list = criteria(q);
  if (list.length === 0 || list.some((c) => c.terms.length === 0)) return { total: 0, offset, hits: [] };

  // Per image, the sum over criteria of the mean over the criterion's words of the best score.
  let found: Map<number, number> | null = null;
  for (const c of list) {
    const perTerm = c.terms.map((term) => {
      const best = new Map<number, number>();
      const words: [string, number][] = c.types.includes('text') ? index.words(term, c.mode, fuzzyScore) : [[term, 1]];
      for (const [word, weight] of words) index.best(c.types, c.field, word, weight, best);
      return best;
    });
    perTerm.sort((a, b) => a.size - b.size); // walk the rarest word's images
    const [rarest, ...rest] = perTerm;
    const next = new Map<number, number>();
    for (const [img, s0] of rarest!) {
      if (found && !found.has(img)) continue;
      let sum = s0;
      let all = true;
      for (const m of rest) {
        const s = m.get(img);
        if (!s) {
          all = false; // every word of the criterion must be found
          break;
        }
        sum += s;
      }
      if (all) next.set(img, (found?.get(img) ?? 0) + sum / c.terms.length);
    }
    found = next;
    if (found.size === 0) return { total: 0, offset, hits: [] };
  }
  const imgs: number[] = [];
  const scores = new Map<number, number>();
  for (const [img, score] of found!) {
    if (q.caseId && !index.inCase(q.caseId, img)) continue;
    imgs.push(img);
    scores.set(img, Math.round((score / list.length) * 1000) / 1000);
  }
  const before = (a: number, b: number) => scores.get(b)! - scores.get(a)! || (index.sha(a) < index.sha(b) ? -1 : 1);
  const top = firstRanked(imgs, offset + limit, before);
  const hits = await Promise.all(
    top.slice(offset).map(async (img): Promise<SearchHit> => {
      const sha256 = index.sha(img);
      const score = scores.get(img)!;
      const d = await details(sha256);
      return { path: d?.paths[0] ?? '', paths: d?.paths ?? [], sha256, score, matches: d ? matchesOf(list, d.clues) : [] };
    }),
  );
  return { total: imgs.length, offset, hits };
}

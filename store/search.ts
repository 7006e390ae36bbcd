import type { Collection } from 'mongodb';
import type { Box, ClueType } from '../core/clues';
import { fuzzyScore, trigrams, uniqueTokens } from '../core/tokens';
import type { ClueDoc, ImageDoc } from './clue-store';

// Clue search that both FerretDB v1 and MongoDB can answer: no $text, only multikey indexes on
// our own token and trigram fields. Each criterion narrows the images; the ranking is in code.

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

const MAX_CANDIDATES = 20_000;

interface Criterion {
  types: ClueType[];
  field?: string;
  terms: string[];
  mode: TextMode;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

function filterFor(c: Criterion): Record<string, unknown> {
  const f: Record<string, unknown> = { type: c.types.length === 1 ? c.types[0] : { $in: c.types } };
  if (c.field) f['detail.field'] = c.field;
  if (c.mode === 'exact') f.tokens = { $in: c.terms };
  else if (c.mode === 'prefix') f.tokens = { $in: c.terms.map((t) => new RegExp(`^${escapeRegex(t)}`)) };
  else f.grams = { $in: [...new Set(c.terms.flatMap(trigrams))] };
  return f;
}

function highlights(c: Criterion, d: ClueDoc): { text: string; box?: Box }[] {
  const words = (d.detail?.words as { text: string; box?: Box }[] | undefined) ?? [{ text: d.value, ...(d.box ? { box: d.box } : {}) }];
  return words
    .filter((w) => uniqueTokens(w.text).some((t) => c.terms.some((term) => tokenScore(c.mode, term, t) > 0)))
    .map((w) => ({ text: w.text, ...(w.box ? { box: w.box } : {}) }));
}

/** Images whose clues meet every criterion (AND), best first, one page of them. */
export async function searchClues(clues: Collection<ClueDoc>, images: Collection<ImageDoc>, q: SearchQuery): Promise<SearchPage> {
  const limit = Math.min(Math.max(q.limit ?? 20, 1), 500);
  const offset = Math.max(q.offset ?? 0, 0);
  const list = criteria(q);
  if (list.length === 0 || list.some((c) => c.terms.length === 0)) return { total: 0, offset, hits: [] };

  let found: Map<string, { score: number; matches: ClueMatch[] }> | null = null;
  for (const c of list) {
    const filter = filterFor(c);
    if (found) filter.sha256 = { $in: [...found.keys()] };
    const docs = await clues.find(filter, { projection: { sha256: 1, type: 1, value: 1, tokens: 1, score: 1, box: 1, detail: 1 } }).limit(MAX_CANDIDATES).toArray();
    // Per image: the best score each query term reaches in any of its clues.
    const perImage = new Map<string, { best: number[]; matches: ClueMatch[] }>();
    for (const d of docs) {
      const termScores = c.terms.map((term) => Math.max(0, ...d.tokens.map((t) => tokenScore(c.mode, term, t))));
      if (termScores.every((s) => s === 0)) continue;
      const e = perImage.get(d.sha256) ?? { best: c.terms.map(() => 0), matches: [] };
      termScores.forEach((s, i) => (e.best[i] = Math.max(e.best[i]!, s * (d.score ?? 1))));
      e.matches.push({ type: d.type, value: d.value, ...(d.score !== undefined ? { score: d.score } : {}), ...(d.box ? { box: d.box } : {}), highlights: highlights(c, d) });
      perImage.set(d.sha256, e);
    }
    const next = new Map<string, { score: number; matches: ClueMatch[] }>();
    for (const [sha, e] of perImage) {
      if (e.best.some((s) => s === 0)) continue; // every word of the criterion must be found
      const prev = found?.get(sha);
      if (found && !prev) continue;
      const score = e.best.reduce((a, b) => a + b, 0) / e.best.length;
      next.set(sha, { score: (prev?.score ?? 0) + score, matches: [...(prev?.matches ?? []), ...e.matches] });
    }
    found = next;
    if (found.size === 0) return { total: 0, offset, hits: [] };
  }
  const hitsById = found ?? new Map<string, { score: number; matches: ClueMatch[] }>();
  const imageFilter: Record<string, unknown> = { _id: { $in: [...hitsById.keys()] } };
  if (q.caseId) imageFilter.cases = q.caseId;
  const docs = await images.find(imageFilter, { projection: { paths: 1 } }).toArray();
  const ranked = docs
    .map((img) => {
      const hit = hitsById.get(img._id)!;
      return { path: img.paths[0] ?? '', paths: img.paths, sha256: img._id, score: Math.round((hit.score / list.length) * 1000) / 1000, matches: hit.matches };
    })
    .sort((a, b) => b.score - a.score || a.sha256.localeCompare(b.sha256));
  return { total: ranked.length, offset, hits: ranked.slice(offset, offset + limit) };
}

import type { Collection } from 'mongodb';
import type { ClueMatch, SearchHit, SearchPage } from '../core/api-types';
import type { Box, ClueInput } from '../core/clues';
import { CRITERIA, type SearchQuery, type TermKind, type TextMode } from '../core/search-fields';
import { fuzzyMaxEdits, fuzzyScore, FUZZY_MIN_SIMILARITY, trigrams, uniqueTokens, compactToken } from '../core/tokens';
import type { ClueDoc, ImageDoc } from './documents';
import { periodWords } from '../core/periods';
import { termKindOf } from '../core/stages';
import type { SearchTerms, TermCount } from './search-terms';

// Clue search on the database's indexes. One word of one kind (a label, a word) is one index
// range read a page at a time; anything else (several words, prefix or fuzzy words, several
// criteria) reads the rarest word's images first and narrows with the others. Prefix and fuzzy
// words are looked up in the vocabulary first (by key range, or by shared trigrams).

export type { SearchQuery, TextMode } from '../core/search-fields';
export type { ClueMatch, SearchHit, SearchPage } from '../core/api-types';

/** A word the query gave, and the stored words it stands for, each with how well it matches. */
interface Term {
  kind: TermKind;
  query: string;
  mode: TextMode;
  words: Map<string, number>;
  /** Images per stored word (within the case), from the counts. */
  counts: Map<string, TermCount>;
  /** Images that have one of the words (an image with two of them counts twice). */
  estimate: number;
  /** Its share of an image's score: criteria count equally, and a criterion's words equally. */
  weight: number;
}

/** Prefix and fuzzy words: at most this many stored words stand for one query word. */
const MAX_EXPANSION = 200;
/**
 * Vocabulary entries a fuzzy word reads at most (rarest trigrams first): its cost no longer grows
 * with how common its trigrams are (docs/search.md, "Fuzzy search under load").
 */
const FUZZY_READ_BUDGET = 1000;
/** Reading candidates by image costs about this many entry reads each (measured on the embedded server). */
const LOOKUP_COST = 8;

/**
 * Trigrams a word must share with the query to pass fuzzyScore: each edit changes at most three
 * trigrams, and a trigram similarity of s needs at least s of the query's own.
 */
export function fuzzyMinShared(query: string, grams: number): number {
  return Math.max(1, Math.min(Math.ceil(FUZZY_MIN_SIMILARITY * grams), grams - 3 * fuzzyMaxEdits(query)));
}

function tokenScore(mode: TextMode, term: string, token: string): number {
  if (mode === 'exact') return token === term ? 1 : 0;
  if (mode === 'prefix') return token.startsWith(term) ? 1 : 0;
  return fuzzyScore(term, token);
}

/** The criteria a query gives, each with its words. A period is one word: any of its months. */
function criteria(q: SearchQuery): { kind: TermKind; mode: TextMode; terms: string[] }[] {
  const out: { kind: TermKind; mode: TextMode; terms: string[] }[] = CRITERIA.flatMap((f) => {
    const value = q[f.name];
    if (value === undefined) return [];
    const terms = 'compact' in f && f.compact ? [compactToken(value)].filter((t) => t.length >= f.minWordLength) : uniqueTokens(value, f.minWordLength);
    return [{ kind: f.kind, mode: f.modal ? q.mode : 'exact', terms }];
  });
  if (q.from || q.to) out.push({ kind: 'month', mode: 'exact', terms: [periodTerm(q.from, q.to)] });
  return out;
}

/** A period as one query word (expanded by `expand`): `2019-06..2021-12`, months at both ends. */
function periodTerm(from?: string, to?: string): string {
  const start = from ? (from.length === 4 ? `${from}-01` : from.slice(0, 7)) : EARLIEST;
  const end = to ? (to.length === 4 ? `${to}-12` : to.slice(0, 7)) : new Date().toISOString().slice(0, 7);
  return `${start}..${end}`;
}

/** Before digital photographs: an open start. */
const EARLIEST = '1990-01';


function highlights(terms: string[], mode: TextMode, d: ClueInput): { text: string; box?: Box }[] {
  const words = (d.detail?.words as { text: string; box?: Box }[] | undefined) ?? [{ text: d.value, ...(d.box ? { box: d.box } : {}) }];
  return words
    .filter((w) => [...uniqueTokens(w.text), compactToken(w.text)].some((t) => terms.some((term) => tokenScore(mode, term, t) > 0)))
    .map((w) => ({ text: w.text, ...(w.box ? { box: w.box } : {}) }));
}

function matchesOf(list: ReturnType<typeof criteria>, clues: ClueInput[]): ClueMatch[] {
  const out: ClueMatch[] = [];
  for (const c of list) {
    for (const d of clues) {
      if (termKindOf(d) !== c.kind) continue;
      if (!c.terms.some((term) => d.tokens.some((t) => tokenScore(c.mode, term, t) > 0))) continue;
      out.push({ type: d.type, value: d.value, ...(d.score !== undefined ? { score: d.score } : {}), ...(d.box ? { box: d.box } : {}), highlights: highlights(c.terms, c.mode, d) });
    }
  }
  return out;
}

/** The lowest score bucket whose images, with those of every bucket above, fill `need` places. */
export function threshold(h: number[], need: number): number {
  let sum = 0;
  for (let b = h.length - 1; b >= 0; b--) {
    sum += h[b]!;
    if (sum >= need) return b / h.length;
  }
  return 0;
}

/**
 * The first `k` items in `before` order, without sorting them all: a common word has tens of
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

export class SearchRepository {
  constructor(
    private readonly terms: SearchTerms,
    private readonly images: Collection<ImageDoc>,
    private readonly clues: Collection<ClueDoc>,
  ) {}

  /** Images whose clues meet every criterion (AND), best first, one page of them. */
  async page(q: SearchQuery): Promise<SearchPage> {
    const { offset, limit } = q;
    const list = criteria(q);
    const none: SearchPage = { total: 0, offset, hits: [] };
    if (list.length === 0 || list.some((c) => c.terms.length === 0)) return none;
    const terms = (
      await Promise.all(list.map((c) => Promise.all(c.terms.map((t) => this.expand(c.kind, t, c.mode, q.case, 1 / (list.length * c.terms.length))))))
    ).flat();
    if (terms.some((t) => t.words.size === 0 || t.estimate === 0)) return none;

    const only = terms.length === 1 && terms[0]!.words.size === 1 ? terms[0]! : null;
    if (only) {
      // One stored word: the index gives the page in order, bounded by the score threshold.
      const [word] = [...only.words.keys()];
      const count = only.counts.get(word!)!;
      const rows = await this.terms.page(only.kind, word!, { ...(q.case ? { caseId: q.case } : {}), min: threshold(count.h, offset + limit), offset, limit });
      return { total: count.n, offset, hits: await this.hits(list, rows.map((r) => ({ sha256: r.img, score: Math.round(r.s * 1000) / 1000 }))) };
    }

    // Rarest first; each further word narrows the candidates, read by image or by word,
    // whichever reads fewer index entries.
    terms.sort((a, b) => a.estimate - b.estimate);
    let found: Map<string, number> | null = null;
    for (const term of terms) {
      const tokens = [...term.words.keys()];
      const byImage = found !== null && found.size * LOOKUP_COST < term.estimate;
      const rows = byImage ? await this.byImages(term.kind, tokens, [...found!.keys()], q.case) : await this.terms.find(term.kind, tokens, { ...(q.case ? { caseId: q.case } : {}) });
      const best = new Map<string, number>();
      for (const r of rows) {
        const s = term.words.get(r.t)! * r.s;
        if (s > (best.get(r.img) ?? 0)) best.set(r.img, s);
      }
      const next = new Map<string, number>();
      for (const [img, s] of best) if (!found || found.has(img)) next.set(img, (found?.get(img) ?? 0) + s * term.weight);
      found = next;
      if (found.size === 0) return none;
    }
    const scored = [...found!].map(([sha256, s]) => ({ sha256, score: Math.round(s * 1000) / 1000 }));
    const top = firstRanked(scored, offset + limit, (a, b) => b.score - a.score || (a.sha256 < b.sha256 ? -1 : 1));
    return { total: scored.length, offset, hits: await this.hits(list, top.slice(offset)) };
  }

  /** Candidates' term documents, read by image (index image_term), a thousand images a query. */
  private async byImages(kind: TermKind, tokens: string[], imgs: string[], caseId?: string) {
    const out = [];
    for (let i = 0; i < imgs.length; i += 1000) out.push(...(await this.terms.find(kind, tokens, { imgs: imgs.slice(i, i + 1000), ...(caseId ? { caseId } : {}) })));
    return out;
  }

  /** A query word, and the stored words it stands for in this mode. */
  private async expand(kind: TermKind, query: string, mode: TextMode, caseId: string | undefined, weight: number): Promise<Term> {
    let words: Map<string, number>;
    if (kind === 'month') {
      const [a, b] = query.split('..') as [string, string];
      words = new Map(periodWords(a, b).map((m) => [m, 1]));
    } else if (mode === 'exact' || kind !== 'word') {
      words = new Map([[query, 1]]);
    } else if (mode === 'prefix') {
      words = new Map((await this.terms.wordsStartingWith(query, MAX_EXPANSION)).map((w) => [w, 1]));
    } else {
      const grams = trigrams(query);
      const minShared = fuzzyMinShared(query, grams.length);
      const mine = new Set(grams);
      const scores = new Map<string, number>();
      const accept = (w: string) => {
        const s = trigrams(w).filter((g) => mine.has(g)).length >= minShared ? fuzzyScore(query, w) : 0;
        if (s > 0) scores.set(w, s);
        return s > 0;
      };
      await this.terms.wordsSharingTrigrams(grams, minShared, { accept, enough: MAX_EXPANSION, budget: FUZZY_READ_BUDGET });
      const scored = [...scores];
      words = new Map(scored.sort((a, b) => b[1] - a[1]).slice(0, MAX_EXPANSION));
    }
    const counts = words.size ? await this.terms.counts(kind, [...words.keys()], caseId) : new Map<string, TermCount>();
    for (const [w, c] of counts) if (c.n === 0) words.delete(w);
    const estimate = [...counts.values()].reduce((n, c) => n + c.n, 0);
    return { kind, query, mode, words, counts, estimate, weight };
  }

  /** Paths and matched clues (with highlights) of the images of one page. */
  private async hits(list: ReturnType<typeof criteria>, page: { sha256: string; score: number }[]): Promise<SearchHit[]> {
    if (page.length === 0) return [];
    const shas = page.map((p) => p.sha256);
    const [images, clues] = await Promise.all([
      this.images.find({ _id: { $in: shas } }, { projection: { paths: 1 } }).toArray(),
      this.clues.find({ sha256: { $in: shas } }, { projection: { sha256: 1, type: 1, value: 1, tokens: 1, score: 1, box: 1, detail: 1 } }).toArray(),
    ]);
    const paths = new Map(images.map((i) => [i._id, i.paths]));
    const byImage = new Map<string, ClueDoc[]>();
    for (const c of clues) byImage.set(c.sha256, [...(byImage.get(c.sha256) ?? []), c]);
    return page.map(({ sha256, score }) => ({
      path: paths.get(sha256)?.[0] ?? '',
      paths: paths.get(sha256) ?? [],
      sha256,
      score,
      matches: matchesOf(list, byImage.get(sha256) ?? []),
    }));
  }
}

import { createHash } from 'node:crypto';
import type { AnyBulkWriteOperation, ClientSession, Collection } from 'mongodb';
import type { TermKind } from '../core/search-fields';
import { SEARCH_RULES, termKindOf } from '../core/stages';
import { trigrams } from '../core/tokens';
import type { ClueDatabase, IndexSpec } from './database';
import type { ClueDoc, ImageDoc, TermDoc, TermStatsDoc, WordDoc } from './documents';

// What search reads: one term document per image and search term, kept in step with the image's
// clues and cases inside a transaction, with per-term counts and score histograms beside them.
//
// Why the counts: the embedded server walks every index entry in range even under a limit, so a
// common label ("person" in 40% of images) costs a scan of all its entries. The histogram gives
// the score above which the page's images lie, and the scan is bounded by it; the count is read,
// not counted. MongoDB stops at the limit anyway; the bound does no harm there.

/**
 * The version of what termsOf makes of clues: its own revision, and the search rules of every clue
 * type (core/stage-registry.ts), so that a new clue kind or filter changes it without anyone
 * remembering to. A store built with another says so in `clues status`; `clues reindex` brings it
 * up to date.
 */
export const SEARCH_TERMS_VERSION = `2.${createHash('sha256').update(JSON.stringify(SEARCH_RULES)).digest('hex').slice(0, 8)}`;

/** Stats documents per term and case are split this many ways: busy terms are written by every worker. */
const SHARDS = 8;
/** Histogram buckets over scores 0..1. */
const BUCKETS = 100;

export const bucketOf = (s: number) => Math.max(0, Math.min(BUCKETS - 1, Math.floor(s * BUCKETS)));
const shardOf = (img: string) => parseInt(img[0] ?? '0', 16) % SHARDS;
export const termId = (k: string, t: string, img: string) => `${k}|${t}|${img}`;
const statsId = (k: string, t: string, c: string, shard: number) => `${k}|${t}|${c}|${shard}`;

/** The best score per term of an image's clues: `k|t` -> score. */
export function termsOf(clues: Pick<ClueDoc, 'type' | 'tokens' | 'score' | 'detail'>[]): Map<string, { k: TermKind; t: string; s: number }> {
  const out = new Map<string, { k: TermKind; t: string; s: number }>();
  for (const c of clues) {
    const k = termKindOf(c);
    if (!k) continue;
    const s = Math.round((c.score ?? 1) * 1000) / 1000;
    for (const t of c.tokens) {
      const key = `${k}|${t}`;
      if ((out.get(key)?.s ?? -1) < s) out.set(key, { k, t, s });
    }
  }
  return out;
}

export interface TermCount {
  n: number;
  /** Images per score bucket. */
  h: number[];
}

export class SearchTerms {
  readonly terms: Collection<TermDoc>;
  readonly stats: Collection<TermStatsDoc>;
  readonly words: Collection<WordDoc>;
  /** Words per trigram: fuzzy search reads only a query's rarest trigrams. */
  private readonly grams: Collection<{ _id: string; n: number }>;
  /**
   * One key per trigram and word (`gram \u0001 word`): the words of a trigram are one range of
   * the primary key (pg_trgm's inverted index), about twice as fast to read on the embedded
   * server as a multikey index over the words' trigram arrays.
   */
  private readonly wordGrams: Collection<{ _id: string }>;

  static readonly indexes: IndexSpec[] = [
    // Search: a term's images best first, a page bounded by a score threshold (and the case).
    { collection: 'search_terms', index: { key: { k: 1, t: 1, s: -1, img: 1 }, name: 'term_score' } },
    { collection: 'search_terms', index: { key: { k: 1, t: 1, cases: 1, s: -1, img: 1 }, name: 'term_case_score' } },
    // Keeping an image's terms current, and checking candidates term by term.
    { collection: 'search_terms', index: { key: { img: 1, k: 1, t: 1 }, name: 'image_term' } },
  ];

  constructor(
    private readonly db: ClueDatabase,
    private readonly images: Collection<ImageDoc>,
    private readonly clues: Collection<ClueDoc>,
  ) {
    this.terms = db.collection<TermDoc>('search_terms');
    this.stats = db.collection<TermStatsDoc>('search_term_stats');
    this.words = db.collection<WordDoc>('search_words');
    this.grams = db.collection('search_grams');
    this.wordGrams = db.collection('search_word_grams');
  }

  /** Adds words not seen before, and counts their trigrams once (only the upsert that inserts counts). */
  private async addWords(words: Iterable<string>): Promise<void> {
    const list = [...words];
    for (let i = 0; i < list.length; i += 5000) {
      const chunk = list.slice(i, i + 5000);
      const res = await this.words.bulkWrite(
        chunk.map((w) => ({ updateOne: { filter: { _id: w }, update: { $setOnInsert: { n: w.length } }, upsert: true } })),
        { ordered: false },
      );
      const added = Object.keys(res.upsertedIds).map((at) => chunk[Number(at)]!);
      if (added.length === 0) continue;
      await this.wordGrams.bulkWrite(
        added.flatMap((w) => trigrams(w).map((g) => ({ updateOne: { filter: { _id: `${g}\u0001${w}` }, update: { $setOnInsert: {} }, upsert: true } }))),
        { ordered: false },
      );
      const grams = new Map<string, number>();
      for (const w of added) for (const g of trigrams(w)) grams.set(g, (grams.get(g) ?? 0) + 1);
      await this.grams.bulkWrite([...grams].map(([g, n]) => ({ updateOne: { filter: { _id: g }, update: { $inc: { n } }, upsert: true } })), { ordered: false });
    }
  }

  /**
   * Brings the image's terms in line with its clues and cases, and the counts with its terms, in
   * one transaction: concurrent writers of one image (a re-run and a crowd tag) serialise on
   * their term documents, and a crash leaves the old state whole.
   */
  async reindex(sha256: string): Promise<void> {
    const newWords = await this.db.transaction((session) => this.reindexIn(session, sha256));
    // Words are only ever added, and adding one twice is harmless: outside the transaction.
    await this.addNewWords(newWords);
  }

  /** Words first seen by a reindex, added after its transaction committed. */
  async addNewWords(words: Set<string>): Promise<void> {
    if (words.size) await this.addWords(words);
  }

  /**
   * reindex's work inside the caller's transaction (a save writes the clues and their terms in
   * one); returns the words it saw first, for addNewWords once the transaction has committed.
   */
  async reindexIn(session: ClientSession, sha256: string): Promise<Set<string>> {
    const newWords = new Set<string>();
    const image = await this.images.findOne({ _id: sha256 }, { projection: { cases: 1, status: 1 }, session });
    const cases = [...new Set(image?.cases ?? [])].sort();
    const clues = image?.status === 'processed' ? await this.clues.find({ sha256 }, { projection: { type: 1, tokens: 1, score: 1, 'detail.field': 1 }, session }).toArray() : [];
    const want = termsOf(clues);
    const have = new Map((await this.terms.find({ img: sha256 }, { session }).toArray()).map((d) => [`${d.k}|${d.t}`, d]));
    const writes: AnyBulkWriteOperation<TermDoc>[] = [];
    const delta = new Map<string, { k: string; t: string; c: string; shard: number; n: number; h: Map<number, number> }>();
    const count = (k: string, t: string, s: number, inCases: string[], by: number) => {
      for (const c of ['', ...inCases]) {
        const id = statsId(k, t, c, shardOf(sha256));
        const d = delta.get(id) ?? { k, t, c, shard: shardOf(sha256), n: 0, h: new Map<number, number>() };
        d.n += by;
        d.h.set(bucketOf(s), (d.h.get(bucketOf(s)) ?? 0) + by);
        delta.set(id, d);
      }
    };
    for (const [key, old] of have) {
      const now = want.get(key);
      if (now && now.s === old.s && old.cases.join('\n') === cases.join('\n')) continue;
      count(old.k, old.t, old.s, old.cases, -1);
      if (!now) writes.push({ deleteOne: { filter: { _id: old._id } } });
    }
    for (const [key, w] of want) {
      const old = have.get(key);
      if (old && old.s === w.s && old.cases.join('\n') === cases.join('\n')) continue;
      count(w.k, w.t, w.s, cases, +1);
      const doc: TermDoc = { _id: termId(w.k, w.t, sha256), k: w.k, t: w.t, img: sha256, s: w.s, cases };
      writes.push({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } });
      if (!old && w.k === 'word') newWords.add(w.t);
    }
    if (writes.length) await this.terms.bulkWrite(writes, { session, ordered: true });
    const incs: AnyBulkWriteOperation<TermStatsDoc>[] = [];
    for (const [id, d] of delta) {
      const inc: Record<string, number> = { n: d.n };
      for (const [b, by] of d.h) if (by !== 0) inc[`h.${b}`] = by;
      if (d.n === 0 && Object.keys(inc).length === 1) continue;
      incs.push({ updateOne: { filter: { _id: id }, update: { $inc: inc, $setOnInsert: { k: d.k, t: d.t, c: d.c } }, upsert: true } });
    }
    if (incs.length) await this.stats.bulkWrite(incs, { session, ordered: true });
    return newWords;
  }

  /** Images per term (within a case, or overall), summed over the shards. */
  async counts(k: string, tokens: string[], caseId?: string): Promise<Map<string, TermCount>> {
    const ids = tokens.flatMap((t) => Array.from({ length: SHARDS }, (_, shard) => statsId(k, t, caseId ?? '', shard)));
    const out = new Map<string, TermCount>(tokens.map((t) => [t, { n: 0, h: new Array<number>(BUCKETS).fill(0) }]));
    for (const d of await this.stats.find({ _id: { $in: ids } }).toArray()) {
      const c = out.get(d.t)!;
      c.n += d.n;
      for (const [b, n] of Object.entries(d.h ?? {})) c.h[Number(b)]! += n;
    }
    return out;
  }

  /** Stored words starting with `prefix` (a range of the primary key). */
  async wordsStartingWith(prefix: string, max: number): Promise<string[]> {
    const docs = await this.words.find({ _id: { $gte: prefix, $lt: `${prefix}\uffff` } }, { projection: { _id: 1 } }).limit(max).toArray();
    return docs.map((d) => d._id);
  }

  /**
   * Stored words that may share at least `minShared` of these trigrams: any such word has one of
   * the (length - minShared + 1) rarest of them, so only those are read, rarest first. The read is
   * bounded whatever the trigrams: at most `budget` entries in all, and it stops once `enough`
   * words pass `accept` (the caller's own check). A trigram that half the vocabulary holds costs
   * no more than a rare one; the words it would add beyond the bound share only common trigrams
   * with the query, and rank below those found first.
   */
  async wordsSharingTrigrams(grams: string[], minShared: number, opts: { accept?: (word: string) => boolean; enough?: number; budget?: number } = {}): Promise<string[]> {
    const { accept = () => true, enough = Infinity, budget = Infinity } = opts;
    const counts = new Map((await this.grams.find({ _id: { $in: grams } }).toArray()).map((g) => [g._id, g.n]));
    const rarest = [...grams].sort((a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0)).slice(0, Math.max(1, grams.length - minShared + 1));
    const words = new Set<string>();
    let read = 0;
    let accepted = 0;
    for (const g of rarest.filter((x) => counts.get(x))) {
      const want = budget - read;
      if (want <= 0 || accepted >= enough) break;
      const range = this.wordGrams.find({ _id: { $gt: `${g}\u0001`, $lt: `${g}\u0002` } }, { projection: { _id: 1 } });
      const page = await (Number.isFinite(want) ? range.limit(want) : range).toArray();
      read += page.length;
      for (const d of page) {
        const w = d._id.slice(g.length + 1);
        if (words.has(w)) continue;
        words.add(w);
        if (accept(w)) accepted++;
      }
    }
    return [...words];
  }

  /** Term documents of some tokens of one kind: all of them, or those scoring at least `min`. */
  find(k: string, tokens: string[], opts: { caseId?: string; min?: number; imgs?: string[] } = {}): Promise<Pick<TermDoc, 'img' | 't' | 's'>[]> {
    const filter: Record<string, unknown> = opts.imgs ? { img: { $in: opts.imgs }, k } : { k };
    filter.t = tokens.length === 1 ? tokens[0] : { $in: tokens };
    if (opts.caseId) filter.cases = opts.caseId;
    if (opts.min !== undefined && opts.min > 0) filter.s = { $gte: opts.min };
    return this.terms.find(filter, { projection: { _id: 0, img: 1, t: 1, s: 1 } }).toArray();
  }

  /** One page of a term's images, best first, scanning only entries scoring `min` or more. */
  page(k: string, t: string, opts: { caseId?: string; min: number; offset: number; limit: number }): Promise<Pick<TermDoc, 'img' | 's'>[]> {
    const filter: Record<string, unknown> = { k, t, ...(opts.caseId ? { cases: opts.caseId } : {}) };
    if (opts.min > 0) filter.s = { $gte: opts.min };
    return this.terms.find(filter, { projection: { _id: 0, img: 1, s: 1 } }).sort({ s: -1, img: 1 }).skip(opts.offset).limit(opts.limit).toArray();
  }

  /**
   * Terms, counts and words of images that have none yet, written in bulk without transactions:
   * loading a store (migration, benchmarks) with no other writer running.
   */
  async addFresh(images: Pick<ImageDoc, '_id' | 'cases' | 'status'>[], clues: Pick<ClueDoc, 'sha256' | 'type' | 'tokens' | 'score' | 'detail'>[]): Promise<void> {
    const byImage = new Map<string, typeof clues>();
    for (const c of clues) byImage.set(c.sha256, [...(byImage.get(c.sha256) ?? []), c]);
    const docs: TermDoc[] = [];
    const stats = new Map<string, { k: string; t: string; c: string; n: number; h: Map<number, number> }>();
    const words = new Set<string>();
    for (const img of images) {
      if (img.status !== 'processed') continue;
      const cases = [...new Set(img.cases ?? [])].sort();
      for (const w of termsOf(byImage.get(img._id) ?? []).values()) {
        docs.push({ _id: termId(w.k, w.t, img._id), k: w.k, t: w.t, img: img._id, s: w.s, cases });
        if (w.k === 'word') words.add(w.t);
        for (const c of ['', ...cases]) {
          const id = statsId(w.k, w.t, c, shardOf(img._id));
          const d = stats.get(id) ?? { k: w.k, t: w.t, c, n: 0, h: new Map<number, number>() };
          d.n++;
          d.h.set(bucketOf(w.s), (d.h.get(bucketOf(w.s)) ?? 0) + 1);
          stats.set(id, d);
        }
      }
    }
    for (let i = 0; i < docs.length; i += 5000) await this.terms.insertMany(docs.slice(i, i + 5000), { ordered: false });
    const incs = [...stats].map(([id, d]): AnyBulkWriteOperation<TermStatsDoc> => ({
      updateOne: { filter: { _id: id }, update: { $inc: { n: d.n, ...Object.fromEntries([...d.h].map(([b, n]) => [`h.${b}`, n])) }, $setOnInsert: { k: d.k, t: d.t, c: d.c } }, upsert: true },
    }));
    for (let i = 0; i < incs.length; i += 5000) await this.stats.bulkWrite(incs.slice(i, i + 5000), { ordered: false });
    await this.addWords(words);
  }

  /** Image ids after `after` (in _id order), within a case if given: one page of a reindex pass. */
  async imageIdsAfter(after: string, limit: number, caseId?: string): Promise<string[]> {
    const docs = await this.images.find({ _id: { $gt: after }, ...(caseId ? { cases: caseId } : {}) }, { projection: { _id: 1 } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => d._id);
  }

  /** Images a pass visits: all of them, or a case's. */
  countImages(caseId?: string): Promise<number> {
    return caseId ? this.images.countDocuments({ cases: caseId }) : this.images.estimatedDocumentCount();
  }

  /** Drops every term document and count, then indexes each image again (a repair, or after a migration). */
  async rebuild(onProgress: (done: number) => void = () => undefined): Promise<number> {
    await Promise.all([this.terms.deleteMany({}), this.stats.deleteMany({})]);
    let done = 0;
    for await (const img of this.images.find({}, { projection: { _id: 1 } })) {
      await this.reindex(img._id);
      if (++done % 1000 === 0) onProgress(done);
    }
    return done;
  }
}


import { STAGES, type ClueStage, type ClueType } from '../core/clues';
import { trigrams } from '../core/tokens';
import { decodeClue, type SearchLog, type SearchLogEntry } from './search-log';

// The search index each reading process keeps in memory, built from the search log and kept
// current by reading the log's new entries before each search (one `_id` lookup when nothing is
// new). It holds no values, boxes or paths: only which images hold which tokens, and how sure.

const STAGE_IDS = [...STAGES, 'tags'] as const satisfies readonly ClueStage[];
const stageId = (s: ClueStage) => STAGE_IDS.indexOf(s);
const N_STAGES = STAGE_IDS.length;

/** Types whose tokens can be searched by prefix and fuzzily (their vocabulary is kept). */
const FREE_TEXT: ClueType[] = ['text', 'tag'];

/** Entries of one token: image, the log entry that wrote it, its stage, and the clue's score. */
class Posting {
  img = new Int32Array(4);
  seq = new Int32Array(4);
  stage = new Uint8Array(4);
  score = new Float32Array(4);
  n = 0;

  push(img: number, seq: number, stage: number, score: number): void {
    if (this.n === this.img.length) {
      const grow = <T extends Int32Array | Uint8Array | Float32Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.img = grow(this.img);
      this.seq = grow(this.seq);
      this.stage = grow(this.stage);
      this.score = grow(this.score);
    }
    this.img[this.n] = img;
    this.seq[this.n] = seq;
    this.stage[this.n] = stage;
    this.score[this.n] = score;
    this.n++;
  }

  /** Drops spare capacity (after the initial load, when most postings are complete). */
  trim(): void {
    this.img = this.img.slice(0, this.n);
    this.seq = this.seq.slice(0, this.n);
    this.stage = this.stage.slice(0, this.n);
    this.score = this.score.slice(0, this.n);
  }
}

const key = (type: ClueType, field: string | undefined, token: string) => `${type}\u0000${field ?? ''}\u0000${token}`;

export class SearchIndex {
  private readonly ords = new Map<string, number>();
  private readonly shas: string[] = [];
  /** Per image and stage, the log entry whose clues count; older postings are stale. */
  private stageSeq = new Int32Array(1024 * N_STAGES).fill(-1);
  private readonly caseImages = new Map<string, Set<number>>();
  private readonly postings = new Map<string, Posting>();
  private readonly vocab = new Set<string>();
  private sortedVocab: string[] | null = null;
  private readonly gramTokens = new Map<string, string[]>();
  /** Next log entry to read. */
  private position = 0;
  private loaded = false;

  constructor(private readonly log: SearchLog) {}

  get size(): { images: number; tokens: number; position: number } {
    return { images: this.shas.length, tokens: this.postings.size, position: this.position };
  }

  private ord(sha256: string): number {
    let o = this.ords.get(sha256);
    if (o === undefined) {
      o = this.shas.length;
      this.ords.set(sha256, o);
      this.shas.push(sha256);
      if ((o + 1) * N_STAGES > this.stageSeq.length) {
        const grown = new Int32Array(this.stageSeq.length * 2).fill(-1);
        grown.set(this.stageSeq);
        this.stageSeq = grown;
      }
    }
    return o;
  }

  /** Applies one entry; entries may come in any order: a stage keeps its newest entry's clues. */
  apply(e: SearchLogEntry): void {
    const img = this.ord(e.sha256);
    for (const c of e.cases) {
      const set = this.caseImages.get(c) ?? new Set<number>();
      set.add(img);
      this.caseImages.set(c, set);
    }
    for (const { stage, clues } of e.stages) {
      const s = stageId(stage);
      if (s < 0 || this.stageSeq[img * N_STAGES + s]! > e.seq) continue;
      this.stageSeq[img * N_STAGES + s] = e.seq;
      for (const encoded of clues) {
        const c = decodeClue(encoded);
        for (const t of new Set(c.tokens)) {
          const k = key(c.type, c.field, t);
          let p = this.postings.get(k);
          if (!p) {
            p = new Posting();
            this.postings.set(k, p);
          }
          p.push(img, e.seq, s, c.score ?? 1);
          if (FREE_TEXT.includes(c.type) && !this.vocab.has(t)) this.addWord(t);
        }
      }
    }
  }

  private addWord(t: string): void {
    this.vocab.add(t);
    this.sortedVocab = null;
    for (const g of new Set(trigrams(t))) {
      const list = this.gramTokens.get(g);
      if (list) list.push(t);
      else this.gramTokens.set(g, [t]);
    }
  }

  /** Loads the whole log once (one scan), then follows it entry by entry. */
  async refresh(): Promise<void> {
    if (!this.loaded) {
      const seen = new Set<number>();
      for await (const e of this.log.all()) {
        this.apply(e);
        seen.add(e.seq);
      }
      // Entries written during the scan may be missing from it: resume at the first hole.
      while (seen.has(this.position)) this.position++;
      for (const p of this.postings.values()) p.trim();
      this.loaded = true;
    }
    for (let e = await this.log.at(this.position); e; e = await this.log.at(this.position)) {
      this.apply(e);
      this.position++;
    }
  }

  /** Tokens of free-text clues that a query word could be, with how well they match. */
  words(term: string, mode: 'exact' | 'prefix' | 'fuzzy', score: (term: string, token: string) => number): [string, number][] {
    if (mode === 'exact') return [[term, 1]];
    if (mode === 'prefix') {
      this.sortedVocab ??= [...this.vocab].sort();
      const v = this.sortedVocab;
      let lo = 0;
      let hi = v.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v[mid]! < term) lo = mid + 1;
        else hi = mid;
      }
      const out: [string, number][] = [];
      for (let i = lo; i < v.length && v[i]!.startsWith(term); i++) out.push([v[i]!, 1]);
      return out;
    }
    const candidates = new Set<string>();
    for (const g of new Set(trigrams(term))) for (const t of this.gramTokens.get(g) ?? []) candidates.add(t);
    const out: [string, number][] = [];
    for (const t of candidates) {
      const s = score(term, t);
      if (s > 0) out.push([t, s]);
    }
    return out;
  }

  /** Per image, the best `weight x clue score` any current clue of these types gives the token. */
  best(types: ClueType[], field: string | undefined, token: string, weight: number, into: Map<number, number>): void {
    for (const type of types) {
      const p = this.postings.get(key(type, field, token));
      if (!p) continue;
      for (let i = 0; i < p.n; i++) {
        const img = p.img[i]!;
        if (this.stageSeq[img * N_STAGES + p.stage[i]!] !== p.seq[i]) continue; // replaced since
        const s = weight * p.score[i]!;
        if (s > (into.get(img) ?? 0)) into.set(img, s);
      }
    }
  }

  inCase(caseId: string, img: number): boolean {
    return this.caseImages.get(caseId)?.has(img) ?? false;
  }

  sha(img: number): string {
    return this.shas[img]!;
  }
}

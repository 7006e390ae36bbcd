import type { Collection, Db } from 'mongodb';
import type { ClueStage, ClueType } from '../core/clues';

// An append-only log of what became searchable, in documents keyed `L<seq>`. FerretDB 1.24 on
// SQLite scans a collection's whole table for every filter, `_id` lookups included (its `_id`
// index is on another SQLite expression than its queries use), and it updates a document by
// reading and rewriting it, so concurrent `$addToSet`s lose writes. Hence: no multikey-index
// queries and no shared posting documents. Inserting a new `_id` is atomic everywhere, though:
// writers claim the next sequence number by inserting it, and readers follow the log one entry
// at a time. Entries live in segments of SEGMENT entries, one collection each, so that finding
// one scans at most SEGMENT rows on FerretDB.

/** What search needs of one clue: no values or boxes, which are fetched for the page shown. */
export interface IndexedClue {
  type: ClueType;
  tokens: string[];
  field?: string;
  score?: number;
}

// One string per clue: FerretDB decodes flat strings far faster than nested documents.
export const encodeClue = (c: IndexedClue) => `${c.type}\t${c.field ?? ''}\t${c.score ?? ''}\t${c.tokens.join(' ')}`;

export function decodeClue(s: string): IndexedClue {
  const [type, field, score, tokens] = s.split('\t') as [ClueType, string, string, string];
  return { type, tokens: tokens ? tokens.split(' ') : [], ...(field ? { field } : {}), ...(score ? { score: Number(score) } : {}) };
}

export interface SearchLogEntry {
  seq: number;
  sha256: string;
  /** Each listed stage's searchable clues now (encoded), replacing what the stage had before. */
  stages: { stage: ClueStage; clues: string[] }[];
  /** Cases the image now also belongs to (cases are only ever added). */
  cases: string[];
}

export type NewLogEntry = Omit<SearchLogEntry, 'seq'>;

/**
 * As stored: the stages as one JSON string. FerretDB 1.24 parses every row it scans, and a
 * nested document costs about ten times what a flat string of the same length does.
 */
interface StoredEntry {
  _id: string;
  seq: number;
  sha256: string;
  stages: string;
  cases: string[];
  at: Date;
}

/** Collections of the log's current format (`search_log_v2_000042`); older formats are rebuilt. */
export const SEGMENT_PREFIX = 'search_log_v2_';

const stored = (e: NewLogEntry, seq: number, at: Date): StoredEntry => ({ _id: keyOf(seq), seq, sha256: e.sha256, stages: JSON.stringify(e.stages), cases: e.cases, at });
const loaded = (d: StoredEntry): SearchLogEntry => ({ seq: d.seq, sha256: d.sha256, stages: JSON.parse(d.stages) as SearchLogEntry['stages'], cases: d.cases });

const keyOf = (seq: number) => `L${seq.toString().padStart(12, '0')}`;
export const SEGMENT = 1000;

export class SearchLog {
  /** The next sequence number this process believes is free. */
  private next: number | null = null;

  constructor(private readonly db: Db) {}

  static of(db: Db): SearchLog {
    return new SearchLog(db);
  }

  /** The collection of one segment (entries segment x SEGMENT and on). */
  segment(n: number): Collection<StoredEntry> {
    return this.db.collection<StoredEntry>(`${SEGMENT_PREFIX}${n.toString().padStart(6, '0')}`);
  }

  private coll(seq: number): Collection<StoredEntry> {
    return this.segment(Math.floor(seq / SEGMENT));
  }

  private async exists(seq: number): Promise<boolean> {
    return (await this.coll(seq).findOne({ _id: keyOf(seq) }, { projection: { _id: 1 } })) !== null;
  }

  /** The first free sequence number at or after `from` (the log has no gaps: see `append`). */
  async end(from = 0): Promise<number> {
    let lo = from - 1;
    let hi = from;
    for (let step = 1; await this.exists(hi); step *= 2) {
      lo = hi;
      hi += step;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.exists(mid)) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /**
   * Appends one entry under the next free number. A writer only ever tries n after seeing n - 1
   * taken, so the numbers have no gaps; losing a race (duplicate key) means looking further on.
   */
  async append(entry: NewLogEntry): Promise<number> {
    for (;;) {
      const seq = this.next ?? (await this.end());
      try {
        await this.coll(seq).insertOne(stored(entry, seq, new Date()));
        this.next = seq + 1;
        return seq;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        this.next = await this.end(seq + 1);
      }
    }
  }

  /** Bulk loads (benchmarks, migrations) with no other writer running. */
  async appendMany(entries: NewLogEntry[]): Promise<void> {
    if (!entries.length) return;
    const first = await this.end(this.next ?? 0);
    const at = new Date();
    for (let i = 0; i < entries.length; ) {
      const seq = first + i;
      const n = Math.min(entries.length - i, SEGMENT - (seq % SEGMENT)); // to the segment's end
      await this.coll(seq).insertMany(entries.slice(i, i + n).map((e, k) => stored(e, seq + k, at)), { ordered: true });
      i += n;
    }
    this.next = first + entries.length;
  }

  /** One entry by number, or null past the end. */
  async at(seq: number): Promise<SearchLogEntry | null> {
    const d = await this.coll(seq).findOne({ _id: keyOf(seq) });
    return d ? loaded(d) : null;
  }

  /** Every entry, segment by segment, in no particular order within a segment. */
  async *all(): AsyncGenerator<SearchLogEntry> {
    for (let n = 0; ; n++) {
      let any = false;
      for await (const e of this.segment(n).find({}, { batchSize: 200 })) {
        any = true;
        yield loaded(e);
      }
      if (!any) return;
    }
  }
}

import type { Collection, Db } from 'mongodb';
import type { Box, ClueInput, ClueStage, ClueType } from '../core/clues';

// What a page of search results shows of each image: its paths and its searchable clues (values,
// boxes, words), kept per image in one of 256 collections chosen by the SHA-256's last two hex
// digits. FerretDB 1.24 (SQLite) scans a collection's table for every lookup, parsing each row,
// and it also copies the list of every collection in the database for each query: so each stage's
// clues are one JSON string (a flat string parses about ten times faster than nested documents),
// and there are few enough tables for the copy to stay cheap (about 390 documents a table at
// 100,000 images). On MongoDB the split costs little. Derived data: rebuilt from the clues.

const BUCKET_DIGITS = 2;
export const BUCKET_PREFIX = 'search_pages_';

const SEARCHABLE: ClueType[] = ['text', 'tag', 'object', 'scene', 'location', 'metadata'];

interface DocClue {
  type: ClueType;
  value: string;
  tokens: string[];
  score?: number;
  box?: Box;
  field?: string;
  words?: { text: string; box?: Box }[];
}

export interface SearchDoc {
  _id: string;
  paths: string[];
  /** Per stage, its searchable clues as the JSON of a DocClue array. */
  stages: Partial<Record<ClueStage, string>>;
}

function docClue(c: ClueInput): DocClue {
  const words = c.detail?.words as { text: string; box?: Box }[] | undefined;
  return {
    type: c.type,
    value: c.value,
    tokens: c.tokens,
    ...(c.score !== undefined ? { score: c.score } : {}),
    ...(c.box ? { box: c.box } : {}),
    ...(typeof c.detail?.field === 'string' ? { field: c.detail.field } : {}),
    ...(words ? { words: words.map((w) => ({ text: w.text, ...(w.box ? { box: w.box } : {}) })) } : {}),
  };
}

const searchable = (c: ClueInput) => SEARCHABLE.includes(c.type) && (c.type !== 'metadata' || typeof c.detail?.field === 'string');

export class SearchDocs {
  constructor(private readonly db: Db) {}

  bucket(sha256: string): Collection<SearchDoc> {
    return this.db.collection<SearchDoc>(`${BUCKET_PREFIX}${sha256.slice(-BUCKET_DIGITS)}`);
  }

  /** Replaces the listed stages' clues (and adds a path), creating the document if need be. */
  async setStages(sha256: string, stages: { stage: ClueStage; clues: ClueInput[] }[], path?: string): Promise<void> {
    const set: Record<string, string> = {};
    for (const s of stages) set[`stages.${s.stage}`] = JSON.stringify(s.clues.filter(searchable).map(docClue));
    await this.bucket(sha256).updateOne({ _id: sha256 }, { $set: set, $addToSet: { paths: { $each: path ? [path] : [] } } }, { upsert: true });
  }

  async addPath(sha256: string, path: string): Promise<void> {
    await this.bucket(sha256).updateOne({ _id: sha256 }, { $addToSet: { paths: path } });
  }

  /** The image's paths and searchable clues, shaped as clues, or null when it has no document. */
  async get(sha256: string): Promise<{ paths: string[]; clues: ClueInput[] } | null> {
    const doc = await this.bucket(sha256).findOne({ _id: sha256 });
    if (!doc) return null;
    const clues = Object.values(doc.stages)
      .flatMap((json) => JSON.parse(json ?? '[]') as DocClue[])
      .map((c): ClueInput => ({
        type: c.type,
        value: c.value,
        tokens: c.tokens,
        ...(c.score !== undefined ? { score: c.score } : {}),
        ...(c.box ? { box: c.box } : {}),
        ...(c.field || c.words ? { detail: { ...(c.field ? { field: c.field } : {}), ...(c.words ? { words: c.words } : {}) } } : {}),
      }));
    return { paths: doc.paths, clues };
  }

  /** Bulk loads (benchmarks, migrations): whole documents, grouped by collection. */
  async insertMany(docs: { sha256: string; paths: string[]; clues: (ClueInput & { stage: ClueStage })[] }[]): Promise<void> {
    const byBucket = new Map<string, SearchDoc[]>();
    for (const d of docs) {
      const byStage: Partial<Record<ClueStage, DocClue[]>> = {};
      for (const c of d.clues.filter(searchable)) (byStage[c.stage] ??= []).push(docClue(c));
      const stages: SearchDoc['stages'] = {};
      for (const [stage, list] of Object.entries(byStage)) stages[stage as ClueStage] = JSON.stringify(list);
      const key = d.sha256.slice(-BUCKET_DIGITS);
      const doc = { _id: d.sha256, paths: d.paths, stages };
      const list = byBucket.get(key);
      if (list) list.push(doc);
      else byBucket.set(key, [doc]);
    }
    for (const list of byBucket.values()) await this.bucket(list[0]!._id).insertMany(list, { ordered: false });
  }
}

import type { Collection } from 'mongodb';
import type { ClueDatabase } from './database';

// What the store derives from the clues it holds (search terms today; a vector index later), and
// which version of each it holds. A derived kind whose code changes gets a new version; the
// store's record of the version it was built with says when `clues reindex` is needed, and a
// checkpoint lets an interrupted pass resume where it stopped.

export interface DerivedVersionDoc {
  _id: string; // `version:<kind>`
  version: string;
  at: Date;
}

/** Where a pass over the images stands: images are visited in _id order, `after` the last done. */
export interface ReindexCheckpointDoc {
  _id: string; // `pass:<kind>:<case or *>`
  kind: string;
  caseId?: string;
  version: string;
  after: string;
  done: number;
  total: number;
  startedAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
}

export class DerivedDataRepository {
  private readonly docs: Collection<DerivedVersionDoc | ReindexCheckpointDoc>;

  constructor(db: ClueDatabase) {
    this.docs = db.collection('derived_data');
  }

  async version(kind: string): Promise<string | null> {
    const doc = (await this.docs.findOne({ _id: `version:${kind}` })) as DerivedVersionDoc | null;
    return doc?.version ?? null;
  }

  async setVersion(kind: string, version: string): Promise<void> {
    const doc: DerivedVersionDoc = { _id: `version:${kind}`, version, at: new Date() };
    await this.docs.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }

  /** A store with no version recorded and no image holds nothing to rebuild: it starts current. */
  async initVersion(kind: string, version: string, empty: boolean): Promise<void> {
    if (empty) await this.docs.updateOne({ _id: `version:${kind}` }, { $setOnInsert: { version, at: new Date() } }, { upsert: true });
  }

  checkpoint(kind: string, caseId?: string): Promise<ReindexCheckpointDoc | null> {
    return this.docs.findOne({ _id: `pass:${kind}:${caseId ?? '*'}` }) as Promise<ReindexCheckpointDoc | null>;
  }

  /** Passes begun and not finished, of any scope. */
  unfinished(kind: string): Promise<ReindexCheckpointDoc[]> {
    return this.docs.find({ kind, finishedAt: { $exists: false } } as never).toArray() as Promise<ReindexCheckpointDoc[]>;
  }

  async saveCheckpoint(c: ReindexCheckpointDoc): Promise<void> {
    await this.docs.replaceOne({ _id: c._id }, c, { upsert: true });
  }
}

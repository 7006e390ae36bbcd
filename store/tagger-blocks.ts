import type { Collection } from 'mongodb';
import type { TaggerBlock } from '../core/api-types';
import type { ClueDatabase } from './database';
import type { TaggerBlockDoc } from './documents';

/** Taggers a reviewer blocked from the public view, by token name (one `_id` lookup per request). */
export class TaggerBlockRepository {
  private readonly blocks: Collection<TaggerBlockDoc>;

  constructor(db: ClueDatabase) {
    this.blocks = db.collection<TaggerBlockDoc>('tagger_blocks');
  }

  async block(tagger: string, by: string, reason: string): Promise<void> {
    await this.blocks.updateOne({ _id: tagger }, { $set: { by, reason, at: new Date() } }, { upsert: true });
  }

  /** False when the tagger was not blocked. */
  async unblock(tagger: string): Promise<boolean> {
    return (await this.blocks.deleteOne({ _id: tagger })).deletedCount === 1;
  }

  async isBlocked(tagger: string): Promise<boolean> {
    return (await this.blocks.findOne({ _id: tagger }, { projection: { _id: 1 } })) !== null;
  }

  async list(): Promise<TaggerBlock[]> {
    return (await this.blocks.find({}).sort({ at: -1 }).toArray()).map(({ _id, ...b }) => ({ tagger: _id, ...b }));
  }
}

import type { Collection } from 'mongodb';
import type { ClueDatabase, IndexSpec } from './database';
import type { RateWindowDoc } from './documents';

/**
 * Fixed-window request counters in the database, so that every API process counts the same
 * requests: one document per limit, caller and window, incremented atomically by an upsert.
 * Old windows expire through a TTL index.
 */
export class RateLimitRepository {
  private readonly windows: Collection<RateWindowDoc>;
  static readonly indexes: IndexSpec[] = [{ collection: 'rate_windows', index: { key: { expiresAt: 1 }, name: 'expiry', expireAfterSeconds: 0 } }];

  constructor(db: ClueDatabase) {
    this.windows = db.collection<RateWindowDoc>('rate_windows');
  }

  /**
   * Counts one request of `key` in the window holding `now`; returns the count so far (this one
   * included) and when the window ends.
   */
  async hit(key: string, windowMs: number, now = Date.now()): Promise<{ count: number; resetAt: number }> {
    const start = now - (now % windowMs);
    const resetAt = start + windowMs;
    const _id = `${key}|${start}`;
    const update = () => this.windows.findOneAndUpdate({ _id }, { $inc: { n: 1 }, $setOnInsert: { expiresAt: new Date(resetAt + windowMs) } }, { upsert: true, returnDocument: 'after' });
    // Two first hits of a window may both try to insert it: the loser counts on the winner's.
    const doc = await update().catch((err: unknown) => {
      if ((err as { code?: number }).code === 11000) return update();
      throw err;
    });
    return { count: doc?.n ?? 1, resetAt };
  }
}

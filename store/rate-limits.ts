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
    // Count on the window's document; the first hit creates it. Not an upsert: under a race the
    // embedded server once answered an upsert with a count another request had already taken
    // (the stored count was right). An insert that loses to another counts on the winner's.
    const inc = () => this.windows.findOneAndUpdate({ _id }, { $inc: { n: 1 } }, { returnDocument: 'after' });
    let doc = await inc();
    if (!doc) {
      try {
        await this.windows.insertOne({ _id, n: 1, expiresAt: new Date(resetAt + windowMs) });
        return { count: 1, resetAt };
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        doc = await inc();
      }
    }
    return { count: doc?.n ?? 1, resetAt };
  }
}

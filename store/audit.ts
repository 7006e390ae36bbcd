import type { Collection } from 'mongodb';
import type { ClueDatabase, IndexSpec } from './database';
import type { AuditEntry } from './documents';

/**
 * Every view, tag, search, export and ingest. Append-only: nothing here deletes, and the one
 * update is a count: failed authentications are one record per address and minute
 * (`countDenied`), whose count grows during that minute and after it only by what was pending.
 */
export class AuditRepository {
  private readonly log: Collection<AuditEntry & { at: Date }>;
  static readonly indexes: IndexSpec[] = [{ collection: 'audit', index: { key: { at: 1 }, name: 'at' } }];

  constructor(db: ClueDatabase) {
    this.log = db.collection('audit');
  }

  async write(entry: AuditEntry): Promise<void> {
    await this.log.insertOne({ ...entry, at: new Date() });
  }

  /**
   * Adds `n` to the aggregated record `id` (one address, one minute), creating it from `entry`
   * at `at` when it is new.
   */
  async countDenied(id: string, entry: AuditEntry | null, at: Date | null, n: number): Promise<void> {
    const log = this.log as unknown as Collection<{ _id: string }>;
    const insert = entry && at ? { $setOnInsert: { actor: entry.actor, action: entry.action, target: entry.target, from: entry.from, 'detail.reason': entry.detail?.reason, 'detail.minute': entry.detail?.minute, at } } : {};
    try {
      await log.updateOne({ _id: id }, { $inc: { 'detail.count': n }, ...insert }, { upsert: entry !== null });
    } catch (err) {
      // Another API process created the same record at the same moment: count on it.
      if ((err as { code?: number }).code !== 11000) throw err;
      await log.updateOne({ _id: id }, { $inc: { 'detail.count': n } });
    }
  }

  recent(limit = 50): Promise<(AuditEntry & { at: Date })[]> {
    return this.log.find({}, { projection: { _id: 0 } }).sort({ at: -1 }).limit(limit).toArray();
  }
}

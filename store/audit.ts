import type { Collection } from 'mongodb';
import type { ClueDatabase, IndexSpec } from './database';
import type { AuditEntry } from './documents';

/** Every view, tag, search, export and ingest. Append-only: nothing here updates or deletes. */
export class AuditRepository {
  private readonly log: Collection<AuditEntry & { at: Date }>;
  static readonly indexes: IndexSpec[] = [{ collection: 'audit', index: { key: { at: 1 }, name: 'at' } }];

  constructor(db: ClueDatabase) {
    this.log = db.collection('audit');
  }

  async write(entry: AuditEntry): Promise<void> {
    await this.log.insertOne({ ...entry, at: new Date() });
  }

  recent(limit = 50): Promise<(AuditEntry & { at: Date })[]> {
    return this.log.find({}, { projection: { _id: 0 } }).sort({ at: -1 }).limit(limit).toArray();
  }
}

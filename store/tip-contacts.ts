import type { Collection } from 'mongodb';
import type { ClueDatabase, IndexSpec } from './database';
import type { TipContactDoc } from './documents';

/**
 * Taggers' contact details, one document per tip, in a collection of their own: only the
 * reviewers' reads join them in, so no other route, export or history can carry them. They go
 * when the object closes, and at `expiresAt` whatever happens (a TTL index; reads also skip
 * expired ones, since the server's TTL monitor runs about once a minute).
 */
export class TipContactRepository {
  private readonly contacts: Collection<TipContactDoc>;
  static readonly indexes: IndexSpec[] = [
    { collection: 'tip_contacts', index: { key: { cropId: 1 }, name: 'crop' } },
    { collection: 'tip_contacts', index: { key: { expiresAt: 1 }, name: 'expiry', expireAfterSeconds: 0 } },
  ];

  constructor(db: ClueDatabase) {
    this.contacts = db.collection<TipContactDoc>('tip_contacts');
  }

  /** Keeps a tip's contact details for `retentionDays`. */
  async save(tipId: string, cropId: string, contact: string, retentionDays: number): Promise<void> {
    const at = new Date();
    await this.contacts.insertOne({ _id: tipId, cropId, contact, at, expiresAt: new Date(at.getTime() + retentionDays * 86_400_000) });
  }

  /** Contact details by tip id, for reviewers only; expired ones are left out. */
  async ofCrops(cropIds: string[]): Promise<Map<string, string>> {
    if (cropIds.length === 0) return new Map();
    const docs = await this.contacts.find({ cropId: { $in: cropIds }, expiresAt: { $gt: new Date() } }).toArray();
    return new Map(docs.map((d) => [d._id, d.contact]));
  }

  /** The object closed: its contact details go. Returns how many. */
  async removeOf(cropId: string): Promise<number> {
    return (await this.contacts.deleteMany({ cropId })).deletedCount;
  }
}

import type { Collection } from 'mongodb';
import type { KnownHashMatch } from '../core/api-types';
import type { VicsDocument, VicsMedia } from '../hashsets/vics';
import { pdqDistance, PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY } from '../core/pdq-rules';
import type { ClueDatabase, IndexSpec } from './database';
import { pdqKeys, pdqProbes } from './pdq-index';

export interface HashSetDoc {
  _id: string;
  name: string;
  format: 'vics' | 'csv';
  importedAt: Date;
  /** Media counted in the file, not what its header claims. */
  count: number;
  declaredTotal?: number;
  rejected: number;
}

export interface HashEntryDoc extends VicsMedia {
  _id: string;
  setId: string;
  pdq?: string;
  /** Multi-index keys of the PDQ hash (store/pdq-index.ts). */
  pdqKeys?: string[];
}

export type { KnownHashMatch } from '../core/api-types';

const IMPORT_BATCH = 1000;

const summary = (e: HashEntryDoc, kind: KnownHashMatch['kind'], by: string): KnownHashMatch => ({
  set: e.setId,
  kind,
  by,
  tags: e.tags,
  ...(e.category !== undefined ? { category: e.category } : {}),
  ...(e.series !== undefined ? { series: e.series } : {}),
  ...(e.victimIdentified !== undefined ? { victimIdentified: e.victimIdentified } : {}),
});

/** Known-hash lists (Project VIC's VICS JSON, or CSV), and matching images against them. */
export class HashSetRepository {
  private readonly sets: Collection<HashSetDoc>;
  private readonly entries: Collection<HashEntryDoc>;
  static readonly indexes: IndexSpec[] = [
    { collection: 'hash_entries', index: { key: { md5: 1 }, name: 'md5' } },
    { collection: 'hash_entries', index: { key: { sha1: 1 }, name: 'sha1' } },
    { collection: 'hash_entries', index: { key: { setId: 1 }, name: 'set' } },
    { collection: 'hash_entries', index: { key: { pdqKeys: 1 }, name: 'pdq_keys' } },
  ];

  constructor(db: ClueDatabase) {
    this.sets = db.collection<HashSetDoc>('hash_sets');
    this.entries = db.collection<HashEntryDoc>('hash_entries');
  }

  /** Replaces a named hash set with the file's entries: re-importing the same file is harmless. */
  async import(name: string, format: HashSetDoc['format'], doc: VicsDocument, rejected: number): Promise<HashSetDoc> {
    const setId = name.trim();
    await this.entries.deleteMany({ setId });
    const docs: HashEntryDoc[] = doc.media.map((m, i) => {
      const raw = m.alternativeHashes.PDQ ?? m.alternativeHashes.pdq;
      const pdq = raw && /^[0-9a-fA-F]{64}$/.test(raw) ? raw.toLowerCase() : undefined;
      return { ...m, _id: `${setId}:${i}`, setId, ...(pdq ? { pdq, pdqKeys: pdqKeys(pdq) } : {}) };
    });
    for (let i = 0; i < docs.length; i += IMPORT_BATCH) await this.entries.insertMany(docs.slice(i, i + IMPORT_BATCH), { ordered: false });
    const set: HashSetDoc = { _id: setId, name: setId, format, importedAt: new Date(), count: docs.length, rejected, ...(doc.declaredTotal !== undefined ? { declaredTotal: doc.declaredTotal } : {}) };
    await this.sets.replaceOne({ _id: setId }, set, { upsert: true });
    return set;
  }

  list(): Promise<HashSetDoc[]> {
    return this.sets.find({}).sort({ name: 1 }).toArray();
  }

  /** Exact matches (MD5 or SHA-1) and, kept apart, near matches by PDQ (distance <= 31, quality >= 50), by index. */
  async matches(image: { md5?: string; sha1?: string; pdq?: { hash: string; quality: number } }): Promise<KnownHashMatch[]> {
    const out: KnownHashMatch[] = [];
    const exactIds = new Set<string>();
    // One query per hash: each is an index point lookup ($or is not served by every server's planner).
    const exact = [...(image.md5 ? [{ md5: image.md5 }] : []), ...(image.sha1 ? [{ sha1: image.sha1 }] : [])];
    for (const filter of exact) {
      for (const e of await this.entries.find(filter).toArray()) {
        if (exactIds.has(e._id)) continue;
        exactIds.add(e._id);
        out.push(summary(e, 'exact', image.md5 && e.md5 === image.md5 ? 'md5' : 'sha1'));
      }
    }
    // Meta's rule: a featureless image (quality < 50) is not matched on PDQ.
    if (image.pdq && image.pdq.quality >= PDQ_MIN_QUALITY) {
      for (const e of await this.entries.find({ pdqKeys: { $in: pdqProbes(image.pdq.hash) } }, { projection: { raw: 0 } }).toArray()) {
        if (exactIds.has(e._id)) continue;
        const d = pdqDistance(image.pdq.hash, e.pdq!);
        if (d <= PDQ_MATCH_DISTANCE) out.push(summary(e, 'near', `PDQ distance ${d}`));
      }
    }
    return out;
  }
}

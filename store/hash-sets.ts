import type { Db } from 'mongodb';
import type { VicsDocument, VicsMedia } from '../hashsets/vics';
import { pdqDistance, PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY } from '../models/pdq';

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
}

export interface KnownHashMatch {
  set: string;
  kind: 'exact' | 'near';
  /** md5, sha1, or PDQ with its distance */
  by: string;
  category?: number;
  series?: string;
  tags: string[];
  victimIdentified?: boolean;
}

const IMPORT_BATCH = 1000;

export function hashCollections(db: Db) {
  return { sets: db.collection<HashSetDoc>('hash_sets'), entries: db.collection<HashEntryDoc>('hash_entries') };
}

/** Replaces a named hash set with the file's entries: re-importing the same file is harmless. */
export async function importHashSet(db: Db, name: string, format: HashSetDoc['format'], doc: VicsDocument, rejected: number): Promise<HashSetDoc> {
  const { sets, entries } = hashCollections(db);
  const setId = name.trim();
  await entries.deleteMany({ setId });
  const docs: HashEntryDoc[] = doc.media.map((m, i) => {
    const pdq = m.alternativeHashes.PDQ ?? m.alternativeHashes.pdq;
    return { ...m, _id: `${setId}:${i}`, setId, ...(pdq && /^[0-9a-fA-F]{64}$/.test(pdq) ? { pdq: pdq.toLowerCase() } : {}) };
  });
  for (let i = 0; i < docs.length; i += IMPORT_BATCH) await entries.insertMany(docs.slice(i, i + IMPORT_BATCH), { ordered: false });
  const set: HashSetDoc = { _id: setId, name: setId, format, importedAt: new Date(), count: docs.length, rejected, ...(doc.declaredTotal !== undefined ? { declaredTotal: doc.declaredTotal } : {}) };
  await sets.replaceOne({ _id: setId }, set, { upsert: true });
  return set;
}

const summary = (e: HashEntryDoc, kind: KnownHashMatch['kind'], by: string): KnownHashMatch => ({
  set: e.setId,
  kind,
  by,
  tags: e.tags,
  ...(e.category !== undefined ? { category: e.category } : {}),
  ...(e.series !== undefined ? { series: e.series } : {}),
  ...(e.victimIdentified !== undefined ? { victimIdentified: e.victimIdentified } : {}),
});

/** Exact matches (MD5 or SHA-1) and, kept apart, near matches by PDQ (distance <= 31, quality >= 50). */
export async function knownHashMatches(db: Db, image: { md5?: string; sha1?: string; pdq?: { hash: string; quality: number } }): Promise<KnownHashMatch[]> {
  const { entries } = hashCollections(db);
  const or: Record<string, string>[] = [];
  if (image.md5) or.push({ md5: image.md5 });
  if (image.sha1) or.push({ sha1: image.sha1 });
  const out: KnownHashMatch[] = [];
  const exactIds = new Set<string>();
  if (or.length) {
    for (const e of await entries.find({ $or: or }).toArray()) {
      exactIds.add(e._id);
      out.push(summary(e, 'exact', image.md5 && e.md5 === image.md5 ? 'md5' : 'sha1'));
    }
  }
  // Meta's rule: a featureless image (quality < 50) is not matched on PDQ.
  if (image.pdq && image.pdq.quality >= PDQ_MIN_QUALITY) {
    for await (const e of entries.find({ pdq: { $exists: true } }, { projection: { raw: 0 } })) {
      if (exactIds.has(e._id)) continue;
      const d = pdqDistance(image.pdq.hash, e.pdq!);
      if (d <= PDQ_MATCH_DISTANCE) out.push(summary(e, 'near', `PDQ distance ${d}`));
    }
  }
  return out;
}

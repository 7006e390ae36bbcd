import type { Db, Document } from 'mongodb';
import type { Store } from '../store';
import type { ClueDoc, ImageDoc } from '../store/documents';
import { pdqKeys as pdqKeysOf } from '../store/pdq-index';

// Carries a store made by an earlier version (FerretDB, search log and page documents) into this
// one: the records people and workers made are copied as they are; what search derives from them
// (terms, counts, words) is computed afresh. Derived collections of the old layout are left behind.

/** Collections copied document for document (after `images` and `clues`, which get search terms). */
const AS_IS = ['places', 'tokens', 'audit', 'public_crops', 'crowd_tags', 'tag_votes', 'hash_sets', 'hash_entries', 'user_settings'];
const BATCH = 1000;

export interface CopyReport {
  copied: Record<string, { source: number; target: number }>;
}

/** Copies every record; running it again copies nothing twice (documents are keyed by _id). */
export async function copyStore(from: Db, to: Store, onProgress: (collection: string, done: number) => void = () => undefined): Promise<CopyReport> {
  const report: CopyReport = { copied: {} };
  const insert = async (name: string, docs: Document[]) => {
    if (docs.length === 0) return;
    await to.raw(name).insertMany(docs, { ordered: false }).catch((err: unknown) => {
      // A re-run: documents copied before are already there.
      if (!(err as { writeErrors?: { code: number }[] }).writeErrors?.every((e) => e.code === 11000)) throw err;
    });
  };

  // Images and their clues go through the store: their search terms are built as they arrive.
  let done = 0;
  for await (const batch of batches(from.collection<ImageDoc & { clueIds?: unknown }>('images').find({}))) {
    const images = batch.map(({ clueIds: _old, ...img }) => img as ImageDoc);
    const clues = (await from.collection<ClueDoc>('clues').find({ sha256: { $in: images.map((i) => i._id) } }).toArray());
    const have = new Set((await to.images.images.find({ _id: { $in: images.map((i) => i._id) } }, { projection: { _id: 1 } }).toArray()).map((i) => i._id));
    const fresh = images.filter((i) => !have.has(i._id));
    const freshIds = new Set(fresh.map((i) => i._id));
    await to.images.bulkInsert(fresh, clues.filter((c) => freshIds.has(c.sha256)));
    onProgress('images', (done += batch.length));
  }
  for (const name of ['images', 'clues']) report.copied[name] = { source: await from.collection(name).countDocuments({}), target: await to.raw(name).countDocuments({}) };

  for (const name of AS_IS) {
    let n = 0;
    for await (const batch of batches(from.collection(name).find({}))) {
      await insert(name, name === 'hash_entries' ? batch.map(withPdqKeys) : batch);
      onProgress(name, (n += batch.length));
    }
    report.copied[name] = { source: await from.collection(name).countDocuments({}), target: await to.raw(name).countDocuments({}) };
  }
  return report;
}

function withPdqKeys(entry: Document): Document {
  return typeof entry.pdq === 'string' ? { ...entry, pdqKeys: pdqKeysOf(entry.pdq) } : entry;
}

async function* batches<T extends Document>(cursor: AsyncIterable<T>): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const doc of cursor) {
    batch.push(doc);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

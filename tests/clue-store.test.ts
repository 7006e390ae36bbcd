import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config';
import { MongoClueStore } from '../store/clue-store';
import { BUCKET_PREFIX } from '../store/search-docs';
import { SEGMENT_PREFIX } from '../store/search-log';
import { imageInput, objectClue, openTestStore, sha, textClue } from './support/store';

let store: MongoClueStore;
let dbName: string;
beforeAll(async () => {
  ({ store, dbName } = await openTestStore('store'));
});
afterAll(async () => store?.close());

describe('clue store on FerretDB', () => {
  it('when the same image is saved twice, then it holds one record and one set of clues', async () => {
    const input = imageInput(sha(1), { text: [textClue('HOTEL MIRAMAR'), textClue('Room 12')], objects: [objectClue('bed')] });
    expect(await store.saveImage(input)).toBe(3);
    expect(await store.saveImage(input)).toBe(3);
    expect(await store.cluesOf(sha(1))).toHaveLength(3);
    expect(await store.images.countDocuments({ _id: sha(1) })).toBe(1);
  });

  it('when a stage is re-run with different output, then stale clues of that stage go and the others stay', async () => {
    await store.saveImage(imageInput(sha(2), { text: [textClue('OLD SIGN')], objects: [objectClue('chair')] }));
    await store.saveImage(imageInput(sha(2), { text: [textClue('NEW SIGN')] }));
    const values = (await store.cluesOf(sha(2))).map((c) => c.value).sort();
    expect(values).toEqual(['NEW SIGN', 'chair']);
  });

  it('when a stage fails on a re-run, then the clues from its earlier success are kept', async () => {
    await store.saveImage(imageInput(sha(3), { text: [textClue('KEEP ME')] }));
    const failing = imageInput(sha(3), {});
    failing.stages.push({ stage: 'text', status: 'failed', reason: 'OCR crashed', clues: [] });
    await store.saveImage(failing);
    expect((await store.cluesOf(sha(3))).map((c) => c.value)).toEqual(['KEEP ME']);
    expect((await store.getImage(sha(3)))?.stages?.text).toMatchObject({ status: 'failed', reason: 'OCR crashed' });
  });

  it('when searching text and object together, then only images with both match, best first', async () => {
    await store.saveImage(imageInput(sha(10), { text: [textClue('Wivenhoe Stores', 0.95)], objects: [objectClue('bottle')] }));
    await store.saveImage(imageInput(sha(11), { text: [textClue('wivenhoe', 0.6)], objects: [objectClue('bottle')] }));
    await store.saveImage(imageInput(sha(12), { text: [textClue('WIVENHOE')] }));
    const both = await store.search({ text: 'wivenhoe', object: 'bottle' });
    expect(both.map((h) => h.sha256)).toEqual([sha(10), sha(11)]);
    expect(both[0]!.matches.map((m) => m.type).sort()).toEqual(['object', 'text']);
    const textOnly = await store.search({ text: 'WIVENHOE' });
    expect(textOnly.map((h) => h.sha256).sort()).toEqual([sha(10), sha(11), sha(12)]);
  });

  it('when a multi-word text search is made, then every word must appear in the image', async () => {
    await store.saveImage(imageInput(sha(20), { text: [textClue('GRAND'), textClue('HOTEL')] }));
    await store.saveImage(imageInput(sha(21), { text: [textClue('GRAND CAFE')] }));
    expect((await store.search({ text: 'grand hotel' })).map((h) => h.sha256)).toEqual([sha(20)]);
  });

  it('when OCR misread a word, then fuzzy search finds it and exact search does not', async () => {
    await store.saveImage(imageInput(sha(70), { text: [textClue('Brightlingsea Stores')] }));
    await store.saveImage(imageInput(sha(71), { text: [textClue('Brightungsea Road')] }));
    await store.saveImage(imageInput(sha(72), { text: [textClue('Brighton')] }));
    expect((await store.search({ text: 'BRIGHTLINGSEA' })).map((h) => h.sha256)).toEqual([sha(70)]);
    const fuzzy = await store.search({ text: 'BRIGHTLINGSEA', textMode: 'fuzzy' });
    expect(fuzzy.map((h) => h.sha256)).toEqual([sha(70), sha(71)]); // the exact spelling first
    expect(fuzzy[1]!.matches[0]!.highlights.map((w) => w.text)).toEqual(['Brightungsea']);
    expect(fuzzy[1]!.matches[0]!.highlights[0]!.box).toBeDefined();
  });

  it('when a prefix is searched, then words starting with it match', async () => {
    await store.saveImage(imageInput(sha(73), { text: [textClue('Pharmacie du Port')] }));
    expect((await store.search({ text: 'pharm', textMode: 'prefix' })).map((h) => h.sha256)).toEqual([sha(73)]);
    expect(await store.search({ text: 'pharm' })).toEqual([]);
  });

  it('when searching by camera serial or known place, then only those clues answer', async () => {
    const serial = { type: 'metadata' as const, value: '032021001234', tokens: ['032021001234'], score: 1, detail: { field: 'serial' } };
    const notSerial = { type: 'metadata' as const, value: '032021001234', tokens: ['032021001234'], score: 1, detail: { field: 'software' } };
    const place = { type: 'location' as const, value: 'Hotel Miramar, room 12', tokens: ['hotel', 'miramar', 'room', '12'], score: 0.8 };
    await store.saveImage(imageInput(sha(74), { metadata: [serial], places: [place] }));
    await store.saveImage(imageInput(sha(75), { metadata: [notSerial] }));
    expect((await store.search({ serial: '032021001234' })).map((h) => h.sha256)).toEqual([sha(74)]);
    expect((await store.search({ location: 'miramar' })).map((h) => h.sha256)).toEqual([sha(74)]);
  });

  it('when results span pages, then offset and limit page through them in score order', async () => {
    for (let i = 0; i < 5; i++) await store.saveImage(imageInput(sha(80 + i), { text: [textClue('TAVERN', 0.5 + i / 10)] }));
    const page1 = await store.searchPage({ text: 'tavern', limit: 2 });
    const page2 = await store.searchPage({ text: 'tavern', limit: 2, offset: 2 });
    expect(page1.total).toBe(5);
    expect(page1.hits.map((h) => h.sha256)).toEqual([sha(84), sha(83)]);
    expect(page2.hits.map((h) => h.sha256)).toEqual([sha(82), sha(81)]);
  });

  it('when a case filter is given, then images outside the case are left out', async () => {
    await store.saveImage({ ...imageInput(sha(30), { text: [textClue('MARINA')] }), caseId: 'case-a' });
    await store.saveImage(imageInput(sha(31), { text: [textClue('MARINA')] }));
    expect((await store.search({ text: 'marina', caseId: 'case-a' })).map((h) => h.sha256)).toEqual([sha(30)]);
  });

  it('when an image fails, then its reason is kept, and a later success clears it', async () => {
    await store.recordFailure({ sha256: sha(40), path: '/evidence/bad.jpg', code: 'undecodable', reason: 'cannot decode image' });
    expect(await store.getImage(sha(40))).toMatchObject({ status: 'failed', failure: { code: 'undecodable' }, paths: ['/evidence/bad.jpg'], cases: [] });
    await store.saveImage(imageInput(sha(40), { text: [] }));
    const after = await store.getImage(sha(40));
    expect(after?.status).toBe('processed');
    expect(after?.failure).toBeUndefined();
  });

  it('when a processed image is later reported failed, then it stays processed and gains the path', async () => {
    await store.saveImage(imageInput(sha(41), { text: [] }));
    await store.recordFailure({ sha256: sha(41), path: '/evidence/again.jpg', code: 'unreadable', reason: 'EIO' });
    const img = await store.getImage(sha(41));
    expect(img?.status).toBe('processed');
    expect(img?.paths).toContain('/evidence/again.jpg');
  });

  it('when a known place is added twice, then it is stored once', async () => {
    const place = { _id: sha(60), name: 'Hotel Miramar, room 12', path: '/refs/room12.jpg', embedding: [1, 0], featuresPath: 'features/00/x.orb' };
    await store.addPlace(place);
    await store.addPlace(place);
    expect((await store.listPlaces()).map((p) => p.name)).toEqual(['Hotel Miramar, room 12']);
  });

  it('when audit entries are written, then they are read back newest first with a timestamp', async () => {
    await store.audit({ actor: 'tester', action: 'search', detail: { text: 'one' } });
    await store.audit({ actor: 'tester', action: 'view-image', target: sha(1) });
    const [latest] = await store.recentAudit(1);
    expect(latest).toMatchObject({ actor: 'tester', action: 'view-image', target: sha(1) });
    expect(latest!.at).toBeInstanceOf(Date);
  });
});

describe('the search log and the in-memory index, across processes', () => {
  const other = () => MongoClueStore.connect(loadConfig().mongo.uri, dbName);
  const found = async (s: MongoClueStore, text: string) => (await s.searchPage({ text, limit: 500 })).hits.map((h) => h.sha256).sort();

  it('when one process saves and re-saves an image, then a search in another sees the new words at once and not the old', async () => {
    const reader = await other();
    try {
      expect(await found(reader, 'quokka')).toEqual([]); // the reader's index is built now
      await store.saveImage(imageInput(sha(901), { text: [textClue('QUOKKA KOALAGROVE')] }));
      expect(await found(reader, 'quokka')).toEqual([sha(901)]);
      await store.saveImage(imageInput(sha(901), { text: [textClue('WOMBAT KOALAGROVE')] }));
      expect(await found(reader, 'quokka')).toEqual([]);
      expect(await found(reader, 'wombat')).toEqual([sha(901)]);
      expect(await found(reader, 'koalagrove')).toEqual([sha(901)]);
    } finally {
      await reader.close();
    }
  });

  it('when two processes save 40 images at once, then the log has no gap and every image is found', async () => {
    const writer = await other();
    try {
      const saves = Array.from({ length: 40 }, (_, i) => (i % 2 ? writer : store).saveImage(imageInput(sha(1000 + i), { text: [textClue(`NUMBAT ${i}`)] })));
      await Promise.all(saves);
      const fresh = await other();
      try {
        expect(await found(fresh, 'numbat')).toEqual(Array.from({ length: 40 }, (_, i) => sha(1000 + i)).sort());
        const seqs = (await fresh.images.db.collection(`${SEGMENT_PREFIX}000000`).find({}, { projection: { seq: 1 } }).toArray()).map((e) => e.seq as number).sort((a, b) => a - b);
        expect(seqs).toEqual(seqs.map((_, i) => i));
      } finally {
        await fresh.close();
      }
    } finally {
      await writer.close();
    }
  });

  it('when a store from before the search log is opened, then its clues are logged once and found', async () => {
    const { store: old, dbName: oldDb } = await openTestStore('prelog');
    await old.saveImage(imageInput(sha(950), { text: [textClue('BILBY LANE')] }));
    for (const c of [`${SEGMENT_PREFIX}000000`, `${BUCKET_PREFIX}${sha(950).slice(-2)}`]) await old.images.db.collection(c).drop();
    // Derived collections of an earlier format, to be dropped.
    await old.images.db.collection('search_log_000000').insertOne({ _id: 'L000000000000' as never, stages: [] });
    await old.images.db.collection('search_docs_abc').insertOne({ _id: sha(950) as never, stages: {} });
    await old.close();
    const reopened = await MongoClueStore.connect(loadConfig().mongo.uri, oldDb);
    try {
      expect(await found(reopened, 'bilby')).toEqual([sha(950)]);
      expect(await reopened.images.db.collection(`${SEGMENT_PREFIX}000000`).countDocuments({})).toBe(1);
      const names = (await reopened.images.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      expect(names.filter((n) => n.startsWith('search_')).sort()).toEqual([`${BUCKET_PREFIX}${sha(950).slice(-2)}`, `${SEGMENT_PREFIX}000000`].sort());
      expect((await reopened.searchPage({ text: 'bilby' })).hits[0]).toMatchObject({ path: `/evidence/${sha(950).slice(0, 8)}.jpg`, matches: [{ type: 'text', value: 'BILBY LANE' }] });
    } finally {
      await reopened.close();
    }
  });
});

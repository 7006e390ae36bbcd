import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config';
import { openStore, type Store } from '../store';
import { termsOf } from '../store/search-terms';
const { setsOf } = require('./support/race-sets.cjs') as { setsOf: (writer: string, sha256: string, round: number) => { stages: { clues: { value: string }[] }[] } };
import { imageInput, objectClue, openTestStore, searchHits, searchPage, sha, textClue } from './support/store';

let store: Store;
let dbName: string;
beforeAll(async () => {
  ({ store, dbName } = await openTestStore('store'));
});
afterAll(async () => store?.close());

describe('clue store', () => {
  it('when the same image is saved twice, then it holds one record and one set of clues', async () => {
    const input = imageInput(sha(1), { text: [textClue('HOTEL MIRAMAR'), textClue('Room 12')], objects: [objectClue('bed')] });
    expect(await store.images.save(input)).toBe(3);
    expect(await store.images.save(input)).toBe(3);
    expect(await store.images.cluesOf(sha(1))).toHaveLength(3);
    expect(await store.images.images.countDocuments({ _id: sha(1) })).toBe(1);
  });

  it('when a stage is re-run with different output, then stale clues of that stage go and the others stay', async () => {
    await store.images.save(imageInput(sha(2), { text: [textClue('OLD SIGN')], objects: [objectClue('chair')] }));
    await store.images.save(imageInput(sha(2), { text: [textClue('NEW SIGN')] }));
    const values = (await store.images.cluesOf(sha(2))).map((c) => c.value).sort();
    expect(values).toEqual(['NEW SIGN', 'chair']);
  });

  it('when a stage fails on a re-run, then the clues from its earlier success are kept', async () => {
    await store.images.save(imageInput(sha(3), { text: [textClue('KEEP ME')] }));
    const failing = imageInput(sha(3), {});
    failing.stages.push({ stage: 'text', status: 'failed', reason: 'OCR crashed', clues: [] });
    await store.images.save(failing);
    expect((await store.images.cluesOf(sha(3))).map((c) => c.value)).toEqual(['KEEP ME']);
    expect((await store.images.get(sha(3)))?.stages?.text).toMatchObject({ status: 'failed', reason: 'OCR crashed' });
  });

  it('when searching text and object together, then only images with both match, best first', async () => {
    await store.images.save(imageInput(sha(10), { text: [textClue('Wivenhoe Stores', 0.95)], objects: [objectClue('bottle')] }));
    await store.images.save(imageInput(sha(11), { text: [textClue('wivenhoe', 0.6)], objects: [objectClue('bottle')] }));
    await store.images.save(imageInput(sha(12), { text: [textClue('WIVENHOE')] }));
    const both = await searchHits(store, { text: 'wivenhoe', object: 'bottle' });
    expect(both.map((h) => h.sha256)).toEqual([sha(10), sha(11)]);
    expect(both[0]!.matches.map((m) => m.type).sort()).toEqual(['object', 'text']);
    const textOnly = await searchHits(store, { text: 'WIVENHOE' });
    expect(textOnly.map((h) => h.sha256).sort()).toEqual([sha(10), sha(11), sha(12)]);
  });

  it('when a multi-word text search is made, then every word must appear in the image', async () => {
    await store.images.save(imageInput(sha(20), { text: [textClue('GRAND'), textClue('HOTEL')] }));
    await store.images.save(imageInput(sha(21), { text: [textClue('GRAND CAFE')] }));
    expect((await searchHits(store, { text: 'grand hotel' })).map((h) => h.sha256)).toEqual([sha(20)]);
  });

  it('when OCR misread a word, then fuzzy search finds it and exact search does not', async () => {
    await store.images.save(imageInput(sha(70), { text: [textClue('Brightlingsea Stores')] }));
    await store.images.save(imageInput(sha(71), { text: [textClue('Brightungsea Road')] }));
    await store.images.save(imageInput(sha(72), { text: [textClue('Brighton')] }));
    expect((await searchHits(store, { text: 'BRIGHTLINGSEA' })).map((h) => h.sha256)).toEqual([sha(70)]);
    const fuzzy = await searchHits(store, { text: 'BRIGHTLINGSEA', mode: 'fuzzy' });
    expect(fuzzy.map((h) => h.sha256)).toEqual([sha(70), sha(71)]); // the exact spelling first
    expect(fuzzy[1]!.matches[0]!.highlights.map((w) => w.text)).toEqual(['Brightungsea']);
    expect(fuzzy[1]!.matches[0]!.highlights[0]!.box).toBeDefined();
  });

  it('when a prefix is searched, then words starting with it match', async () => {
    await store.images.save(imageInput(sha(73), { text: [textClue('Pharmacie du Port')] }));
    expect((await searchHits(store, { text: 'pharm', mode: 'prefix' })).map((h) => h.sha256)).toEqual([sha(73)]);
    expect(await searchHits(store, { text: 'pharm' })).toEqual([]);
  });

  it('when searching by camera serial or known place, then only those clues answer', async () => {
    const serial = { type: 'metadata' as const, value: '032021001234', tokens: ['032021001234'], score: 1, detail: { field: 'serial' } };
    const notSerial = { type: 'metadata' as const, value: '032021001234', tokens: ['032021001234'], score: 1, detail: { field: 'software' } };
    const place = { type: 'location' as const, value: 'Hotel Miramar, room 12', tokens: ['hotel', 'miramar', 'room', '12'], score: 0.8 };
    await store.images.save(imageInput(sha(74), { metadata: [serial], places: [place] }));
    await store.images.save(imageInput(sha(75), { metadata: [notSerial] }));
    expect((await searchHits(store, { serial: '032021001234' })).map((h) => h.sha256)).toEqual([sha(74)]);
    expect((await searchHits(store, { location: 'miramar' })).map((h) => h.sha256)).toEqual([sha(74)]);
  });

  it('when results span pages, then offset and limit page through them in score order', async () => {
    for (let i = 0; i < 5; i++) await store.images.save(imageInput(sha(80 + i), { text: [textClue('TAVERN', 0.5 + i / 10)] }));
    const page1 = await searchPage(store, { text: 'tavern', limit: 2 });
    const page2 = await searchPage(store, { text: 'tavern', limit: 2, offset: 2 });
    expect(page1.total).toBe(5);
    expect(page1.hits.map((h) => h.sha256)).toEqual([sha(84), sha(83)]);
    expect(page2.hits.map((h) => h.sha256)).toEqual([sha(82), sha(81)]);
  });

  it('when a case filter is given, then images outside the case are left out', async () => {
    await store.images.save({ ...imageInput(sha(30), { text: [textClue('MARINA')] }), caseId: 'case-a' });
    await store.images.save(imageInput(sha(31), { text: [textClue('MARINA')] }));
    expect((await searchHits(store, { text: 'marina', case: 'case-a' })).map((h) => h.sha256)).toEqual([sha(30)]);
  });

  it('when an image fails, then its reason is kept, and a later success clears it', async () => {
    await store.images.recordFailure({ sha256: sha(40), path: '/evidence/bad.jpg', code: 'undecodable', reason: 'cannot decode image' });
    expect(await store.images.get(sha(40))).toMatchObject({ status: 'failed', failure: { code: 'undecodable' }, paths: ['/evidence/bad.jpg'], cases: [] });
    await store.images.save(imageInput(sha(40), { text: [] }));
    const after = await store.images.get(sha(40));
    expect(after?.status).toBe('processed');
    expect(after?.failure).toBeUndefined();
  });

  it('when a processed image is later reported failed, then it stays processed and gains the path', async () => {
    await store.images.save(imageInput(sha(41), { text: [] }));
    await store.images.recordFailure({ sha256: sha(41), path: '/evidence/again.jpg', code: 'unreadable', reason: 'EIO' });
    const img = await store.images.get(sha(41));
    expect(img?.status).toBe('processed');
    expect(img?.paths).toContain('/evidence/again.jpg');
  });

  it('when a known place is added twice, then it is stored once', async () => {
    const place = { _id: sha(60), name: 'Hotel Miramar, room 12', path: '/refs/room12.jpg', embedding: [1, 0], featuresPath: 'features/00/x.orb' };
    await store.places.add(place);
    await store.places.add(place);
    expect((await store.places.list()).map((p) => p.name)).toEqual(['Hotel Miramar, room 12']);
  });

  it('when audit entries are written, then they are read back newest first with a timestamp', async () => {
    await store.audit.write({ actor: 'tester', action: 'search', detail: { text: 'one' } });
    await store.audit.write({ actor: 'tester', action: 'view-image', target: sha(1) });
    const [latest] = await store.audit.recent(1);
    expect(latest).toMatchObject({ actor: 'tester', action: 'view-image', target: sha(1) });
    expect(latest!.at).toBeInstanceOf(Date);
  });
});

describe('search terms and counts, across processes', () => {
  const other = () => openStore(loadConfig().mongo.uri, dbName);
  const found = async (s: Store, text: string) => (await searchPage(s, { text, limit: 500 })).hits.map((h) => h.sha256).sort();

  it('when one process saves and re-saves an image, then a search in another sees the new words at once and not the old', async () => {
    const reader = await other();
    try {
      expect(await found(reader, 'quokka')).toEqual([]);
      await store.images.save(imageInput(sha(901), { text: [textClue('QUOKKA KOALAGROVE')] }));
      expect(await found(reader, 'quokka')).toEqual([sha(901)]);
      await store.images.save(imageInput(sha(901), { text: [textClue('WOMBAT KOALAGROVE')] }));
      expect(await found(reader, 'quokka')).toEqual([]);
      expect(await found(reader, 'wombat')).toEqual([sha(901)]);
      expect((await searchPage(reader, { text: 'koalagrove' })).total).toBe(1);
    } finally {
      await reader.close();
    }
  });

  it('when two processes save 40 images at once, then every image is found and the counts agree with the terms', async () => {
    const writer = await other();
    try {
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? writer : store).images.save(imageInput(sha(1000 + i), { text: [textClue(`NUMBAT ${i}`)] }))));
      expect(await found(store, 'numbat')).toEqual(Array.from({ length: 40 }, (_, i) => sha(1000 + i)).sort());
      expect((await searchPage(store, { text: 'numbat', limit: 1 })).total).toBe(40);
    } finally {
      await writer.close();
    }
  });

  it('when two workers save the same image at once, with a crowd tag arriving meanwhile, then no write is lost and nothing is counted twice', async () => {
    const writer = await other();
    try {
      const first = imageInput(sha(1100), { text: [textClue('BANDICOOT ALLEY')], objects: [objectClue('bicycle')] });
      const second = imageInput(sha(1100), { text: [textClue('BANDICOOT ALLEY')], objects: [objectClue('bicycle')] });
      await Promise.all([
        store.images.save({ ...first, path: '/evidence/a.jpg', caseId: 'case-x' }),
        writer.images.save({ ...second, path: '/evidence/b.jpg', caseId: 'case-y' }),
        writer.images.addClues(sha(1100), 'tags', [{ type: 'tag', value: 'red bicycle', tokens: ['red', 'bicycle'] }]),
      ]);
      const image = await store.images.get(sha(1100));
      expect(image?.paths.sort()).toEqual(['/evidence/a.jpg', '/evidence/b.jpg']);
      expect(image?.cases.sort()).toEqual(['case-x', 'case-y']);
      expect((await store.images.cluesOf(sha(1100))).map((c) => c.value).sort()).toEqual(['BANDICOOT ALLEY', 'bicycle', 'red bicycle']);
      for (const [q, total] of [[{ text: 'bandicoot' }, 1], [{ object: 'bicycle' }, 1], [{ text: 'red' }, 1], [{ text: 'bandicoot', case: 'case-y' }, 1], [{ text: 'bandicoot', case: 'case-x' }, 1]] as const) {
        const page = await searchPage(store, q);
        expect(page.total, JSON.stringify(q)).toBe(total);
        expect(page.hits.map((h) => h.sha256)).toEqual([sha(1100)]);
      }
    } finally {
      await writer.close();
    }
  });

  it('when two processes save different clues and stage outcomes for the same images at the same moment, round after round, then each stage holds one writer\'s whole result and the terms match the clues', async () => {
    const shas = Array.from({ length: 6 }, (_, i) => sha(1300 + i));
    const writers = ['a', 'b'].map((writer) => {
      const child = spawn(process.execPath, [join(__dirname, 'support', 'race-writer.cjs'), loadConfig().mongo.uri, dbName, writer, shas.join(',')], { stdio: ['pipe', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      return {
        async round(r: number) {
          child.stdin.write(`${r}\n`);
          const { value } = await lines.next();
          if (value !== `ok ${r}`) throw new Error(`writer ${writer}: ${String(value)} ${err}`);
        },
        end: () => child.stdin.end(),
      };
    });
    const value = (c: { value: string }) => c.value;
    try {
      for (let r = 0; r < 20; r++) {
        await Promise.all(writers.map((w) => w.round(r)));
        for (const sha256 of shas) {
          const image = (await store.images.get(sha256))!;
          const clues = await store.images.cluesOf(sha256);
          const of = (stage: string) => clues.filter((c) => c.stage === stage).map(value).sort();
          const at = `round ${r}, ${sha256}`;
          // text: exactly this round's set of the writer its record names, and the count it records.
          const mine = setsOf(image.stages!.text!.model!.name.slice(-1), sha256, r).stages[0]!.clues;
          expect(of('text'), at).toEqual(mine.map(value).sort());
          expect(image.stages!.text!.clueCount, at).toBe(mine.length);
          // objects: b's two, whether b's success or a's failure was written last (a failure keeps them).
          expect(of('objects'), at).toEqual(['bicycle', 'cup']);
          expect(image.stages!.objects, at).toMatchObject(image.stages!.objects!.status === 'ok' ? { clueCount: 2 } : { status: 'failed', clueCount: 0 });
          // The search terms are those of the clues, no more, no less.
          const terms = (await store.terms.terms.find({ img: sha256 }).toArray()).map((t) => `${t.k}|${t.t}|${t.s}`).sort();
          expect(terms, at).toEqual([...termsOf(clues).values()].map((t) => `${t.k}|${t.t}|${t.s}`).sort());
        }
        // And the counts agree with the terms, word by word.
        for (const word of ['alpha', 'bravo', 'quay', 'road', 'bakery', String(r)]) {
          const n = await store.terms.terms.countDocuments({ k: 'word', t: word });
          expect((await store.terms.counts('word', [word])).get(word)!.n, `round ${r}, ${word}`).toBe(n);
        }
      }
    } finally {
      for (const w of writers) w.end();
    }
  }, 300_000);

  it('when the same bytes are found under a second name before their own workflow saved them, then both names are kept', async () => {
    await store.images.addSource(sha(1200), '/evidence/copy.jpg', 'case-z');
    expect(await store.images.get(sha(1200))).toMatchObject({ status: 'pending', paths: ['/evidence/copy.jpg'] });
    await store.images.save({ ...imageInput(sha(1200), { text: [textClue('POTOROO')] }), path: '/evidence/original.jpg' });
    const image = await store.images.get(sha(1200));
    expect(image?.status).toBe('processed');
    expect(image?.paths.sort()).toEqual(['/evidence/copy.jpg', '/evidence/original.jpg']);
    expect((await searchPage(store, { text: 'potoroo', case: 'case-z' })).total).toBe(1);
  });

  it('when terms and counts are rebuilt from the clues, then every search answers as before', async () => {
    const before = await searchPage(store, { text: 'numbat', limit: 500 });
    await store.terms.rebuild();
    const after = await searchPage(store, { text: 'numbat', limit: 500 });
    expect(after.total).toBe(before.total);
    expect(after.hits.map((h) => h.sha256)).toEqual(before.hits.map((h) => h.sha256));
  });
});

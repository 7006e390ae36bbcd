import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sensitiveText, textInCrop } from '../core/crop-screening';
import { FileBlobStore } from '../blobs/blob-store';
import type { Store } from '../store';
import { publishCrop } from '../usecases/publish-crop';
import { tempDir } from './support/fixtures';
import { imageInput, openTestStore, sha, textClue } from './support/store';

// Issue 20, item 7: screening shows the reviewer the text inside a crop, and refuses one whose
// text reads like a name or an address unless the reviewer confirms.

let store: Store;
const blobs = new FileBlobStore(tempDir('crop-text'));

beforeAll(async () => {
  ({ store } = await openTestStore('croptext'));
  await blobs.put('crops/aa/cup.jpg', await sharp({ create: { width: 50, height: 50, channels: 3, background: '#c84' } }).jpeg().toBuffer());
});
afterAll(async () => store?.close());

/** An image with a cup at (5,5) 30×50, no face, and the given lines of text (words 40 px apart from x=1, y=2). */
async function imageWith(n: number, lines: string[], y = 2) {
  const cup = { type: 'object' as const, value: 'cup', tokens: ['cup'], score: 0.9, box: { x: 5, y: 5, w: 30, h: 50 }, detail: { crop: 'crops/aa/cup.jpg', cropBox: { x: 5, y: 5, w: 30, h: 50 } } };
  const text = lines.map((l) => {
    const c = textClue(l);
    const words = (c.detail!.words as { text: string; box: { x: number; y: number; w: number; h: number } }[]).map((w) => ({ ...w, box: { ...w.box, y } }));
    return { ...c, box: { ...c.box!, y }, detail: { words } };
  });
  await store.images.save(imageInput(sha(n), { objects: [cup], faces: [], text }));
  return (await store.images.cluesOf(sha(n))).find((c) => c.type === 'object')!._id;
}

describe('text inside a published crop', () => {
  it('when a line reads like a name or an address, then it is told apart from plain words', () => {
    for (const name of ['WIVENHOE STATION', 'Anna Kowalska', 'St Mary School']) expect(sensitiveText(name), name).toBe('name');
    for (const address of ['12 High Street', 'ul. Długa 5', '00-950 Warszawa', 'SW1A 1AA', '+48 22 123 45 67', 'www.example.pl', 'anna@example.com']) expect(sensitiveText(address), address).toBe('address');
    for (const plain of ['EXIT', 'sale 50%', 'fresh coffee', 'OPEN']) expect(sensitiveText(plain), plain).toBeUndefined();
  });

  it('when the crop touches a word of a line, then the whole line is shown with the words inside; lines outside are not', () => {
    const lines = [
      { text: 'WIVENHOE STATION', words: [{ text: 'WIVENHOE', box: { x: 0, y: 0, w: 30, h: 10 } }, { text: 'STATION', box: { x: 200, y: 0, w: 30, h: 10 } }] },
      { text: 'far away', box: { x: 500, y: 500, w: 50, h: 10 } },
    ];
    expect(textInCrop({ x: 20, y: 0, w: 50, h: 50 }, lines)).toEqual([{ line: 'WIVENHOE STATION', inside: 'WIVENHOE', sensitive: 'name' }]);
  });

  it('when a crop shows part of a station\'s name, then publishing is refused with the text, and goes through once the reviewer confirms; the text comes back to the reviewer', async () => {
    const clueId = await imageWith(301, ['WIVENHOE STATION']);
    const refused = await publishCrop(store, blobs, { clueId, by: 'reviewer-1' });
    expect(refused).toMatchObject({ ok: false, status: 422, text: [{ line: 'WIVENHOE STATION', inside: 'WIVENHOE', sensitive: 'name' }] });
    expect(!refused.ok && refused.reason).toMatch(/refused by screening: the crop shows text: "WIVENHOE STATION" \(reads like a name; inside the crop: "WIVENHOE"\).*confirmText/);
    expect(await store.raw('public_crops').countDocuments({ clueId })).toBe(0);
    const confirmed = await publishCrop(store, blobs, { clueId, by: 'reviewer-1', confirmText: true });
    expect(confirmed).toMatchObject({ ok: true, text: [{ line: 'WIVENHOE STATION', sensitive: 'name' }] });
  });

  it('when the text inside is plain, or outside the crop, then the crop is published at once and the text inside is shown', async () => {
    const plain = await publishCrop(store, blobs, { clueId: await imageWith(302, ['FRESH coffee']), by: 'reviewer-1' });
    expect(plain).toMatchObject({ ok: true, text: [{ line: 'FRESH coffee', inside: 'FRESH' }] });
    const outside = await publishCrop(store, blobs, { clueId: await imageWith(303, ['WIVENHOE STATION'], 80), by: 'reviewer-1' });
    expect(outside).toMatchObject({ ok: true, text: [] });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClueInput } from '../core/clues';
import type { Store } from '../store';
import { imageInput, openTestStore, sha, textClue } from './support/store';

const serial = (value: string): ClueInput => ({ type: 'metadata', value, tokens: [value.toLowerCase()], score: 1, detail: { field: 'serial' } });
const place = (value: string, score = 0.8): ClueInput => ({ type: 'location', value, tokens: value.toLowerCase().split(' '), score });

let store: Store;
const [A, B, C, D, E] = [sha(901), sha(902), sha(903), sha(904), sha(905)];

beforeAll(async () => {
  ({ store } = await openTestStore('links'));
  await store.images.save(imageInput(A, { text: [textClue('WIVENHOE BAKERY')], metadata: [serial('SN-4471')] }));
  await store.images.save(imageInput(B, { text: [textClue('WIVENHOE')], places: [place('Garage on Elm Street')] }));
  await store.images.save(imageInput(C, { metadata: [serial('SN-4471')] }));
  await store.images.save(imageInput(D, { places: [place('Garage on Elm Street', 0.7)] }));
  await store.images.save(imageInput(E, { text: [textClue('THE END 1234')] }));
});
afterAll(async () => store?.close());

describe('linked images and series', () => {
  it('when an image shares a word and a camera serial with others, then each link comes with its reasons, strongest first', async () => {
    const links = await store.links.linked(A);
    expect(links.map((l) => l.sha256)).toEqual([C, B]);
    expect(links[0]!.reasons).toEqual([{ kind: 'serial', value: 'SN-4471', weight: 0.95 }]);
    expect(links[1]!.reasons).toEqual([{ kind: 'text', value: 'wivenhoe', weight: 0.9 }]);
    expect(links[1]!.strength).toBe(0.9);
  });

  it('when a minimum strength is asked, then weaker links are left out', async () => {
    expect((await store.links.linked(A, 0.92)).map((l) => l.sha256)).toEqual([C]);
  });

  it('when series are formed, then images joined through any chain of links are one series', async () => {
    const all = await store.links.series(0.5);
    const ours = all.find((s) => s.images.some((i) => i.sha256 === A))!;
    expect(ours.images.map((i) => i.sha256).sort()).toEqual([A, B, C, D].sort());
    expect(ours.reasons.map((r) => r.kind).sort()).toEqual(['location', 'serial', 'text']);
    expect(all.some((s) => s.images.some((i) => i.sha256 === E))).toBe(false); // short words and numbers link nothing
  });

  it('when the minimum strength rises, then series split', async () => {
    const strong = await store.links.series(0.92);
    expect(strong.find((s) => s.images.some((i) => i.sha256 === A))!.images.map((i) => i.sha256).sort()).toEqual([A, C].sort());
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../activities';
import { locateImage } from '../activities/locate-image';
import { stageActivity } from '../activities/stage';
import type { ClueInput } from '../core/clues';
import type { Store } from '../store';
import type { WhereResult } from '../where';
import { imageInput, openTestStore, sha, textClue } from './support/store';

// Issue 20, item 3: where and when does not depend on the order images are processed in. The same
// set is processed (saved, then weighed, as the workflow does) in two orders, in two stores, and
// every image's answer is compared: its countries, their probabilities and all its evidence.

const serial = (s: string): ClueInput => ({ type: 'metadata', value: s, tokens: [s.toLowerCase()], detail: { field: 'serial' } });
const SET: { n: number; clues: Parameters<typeof imageInput>[1] }[] = [
  { n: 701, clues: { text: [textClue('ul. Długa 5, 00-950 Warszawa')], metadata: [serial('CAM-0001')] } }, // Polish postcode
  { n: 702, clues: { metadata: [serial('CAM-0001')] } }, // nothing of its own: all it knows comes through its link
  { n: 703, clues: { text: [textClue('Zadzwoń: +48 22 123 45 67')], metadata: [serial('CAM-0001')] } }, // a Polish phone number
  { n: 704, clues: { text: [textClue('Wivenhoe Station, Colchester CO7 9DJ')], metadata: [serial('CAM-0002')] } },
  { n: 705, clues: { metadata: [serial('CAM-0002')] } },
];

const stores: Store[] = [];
beforeAll(async () => {
  for (let i = 0; i < 2; i++) stores.push((await openTestStore(`whereorder${i}`)).store);
});
afterAll(async () => Promise.all(stores.map((s) => s.close())));

async function process(store: Store, order: number[]): Promise<Map<number, WhereResult>> {
  // The where stage's activity as the worker builds it; it needs only the store.
  const locate = stageActivity('where', locateImage, { store } as unknown as ActivityDeps);
  for (const n of order) {
    await store.images.save(imageInput(sha(n), SET.find((s) => s.n === n)!.clues));
    await locate({ sha256: sha(n) });
  }
  const out = new Map<number, WhereResult>();
  for (const { n } of SET) out.set(n, (await store.images.get(sha(n)))!.where as WhereResult);
  return out;
}

/** An answer without what differs by when it was weighed. */
const answer = (r: WhereResult) => ({
  countries: r.countries.map((c) => [c.country, Math.round(c.probability * 1e6)]),
  evidence: r.evidence.map((e) => `${e.kind} ${e.value} ${e.inherited ? `inherited from ${e.image}` : 'own'} ${e.weight}`).sort(),
  noEvidence: r.noEvidence,
});

describe('where and when, in any order', () => {
  it('when the same images are processed in two orders, then every answer is the same, and an image with nothing of its own inherits from its links either way', async () => {
    const forward = await process(stores[0]!, SET.map((s) => s.n));
    const backward = await process(stores[1]!, SET.map((s) => s.n).reverse());
    for (const { n } of SET) expect(answer(backward.get(n)!), `image ${n}`).toEqual(answer(forward.get(n)!));
    expect(answer(forward.get(702)!).countries[0]?.[0]).toBe('PL');
    expect(answer(backward.get(705)!).countries[0]?.[0]).toBe('GB');
    expect(backward.get(702)!.evidence.some((e) => e.inherited && e.image === sha(701))).toBe(true);
  });
});

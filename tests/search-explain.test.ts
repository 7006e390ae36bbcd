import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config';
import { windowWords } from '../core/periods';
import { openStore, type Store } from '../store';
import type { IndexSpec } from '../store/database';
import { ImageRepository } from '../store/images';
import { SearchTerms } from '../store/search-terms';
import { imageInput, objectClue, searchPage, sha, textClue } from './support/store';

// Every read the store sends for each kind of search is explained by the server, which must
// answer it from an index: an index scan (or an _id lookup, or a count scan), never a
// collection scan. The reads are the store's own, caught as they are sent, not copies of them.

let store: Store;
const sent: Document[] = [];
const READS = ['find', 'aggregate', 'count', 'distinct'];

beforeAll(async () => {
  store = await openStore(loadConfig().mongo.uri, `test_explain_${Date.now().toString(36)}`, { observe: (c) => sent.push(c) });
  const serial = { type: 'metadata' as const, value: 'SN-4471', tokens: ['sn', '4471'], score: 1, detail: { field: 'serial' } };
  const place = { type: 'location' as const, value: 'Hotel Miramar, room 12', tokens: ['hotel', 'miramar', 'room', '12'], score: 0.8 };
  for (let i = 0; i < 30; i++) {
    await store.images.save({
      ...imageInput(sha(i + 1), { text: [textClue(i % 3 ? 'WIVENHOE BAKERY' : 'WIVENLIOE ROAD', 0.5 + i / 100)], objects: [objectClue(i % 2 ? 'bottle' : 'cup', 0.4 + i / 100)], metadata: [serial], places: [place], scene: [{ type: 'scene', value: 'kitchen', tokens: ['kitchen'], score: 0.7 }] }, (i % 5).toString(16).repeat(64)),
      caseId: `case-${i % 2}`,
    });
  }
  // Where and when: a country and a time window on some images.
  for (let i = 0; i < 12; i++) {
    const pl = { type: 'country' as const, value: 'PL', tokens: ['pl', 'poland'], score: 0.6 + i / 100, detail: { name: 'Poland', rank: 1 } };
    const window = { type: 'time' as const, value: '2019-03-01 – 2019-05-31', tokens: windowWords('2019-03-01', '2019-05-31'), detail: { from: '2019-03-01', to: '2019-05-31' } };
    await store.images.save({ ...imageInput(sha(100 + i), { text: [textClue('KRAKOW MARKET')], where: i % 2 ? [pl, window] : [pl] }), caseId: 'case-0' });
  }
});
afterAll(async () => store?.close());

/** The plan's nodes, whatever the server nests them in. */
function nodes(explained: Document): Document[] {
  const qp = explained.queryPlanner ?? explained.stages?.[0]?.$cursor?.queryPlanner;
  const out: Document[] = [];
  const walk = (n: Document | undefined) => {
    if (!n) return;
    out.push(n);
    walk(n.inputStage);
    for (const c of n.inputStages ?? []) walk(c);
    walk(n.queryPlan);
  };
  walk(qp?.winningPlan);
  return out;
}

/** The read commands sent while `run` ran, stripped of session fields, each with its plan. */
async function plansOf(run: () => Promise<unknown>): Promise<{ command: Document; stages: string[]; indexes: string[] }[]> {
  sent.length = 0;
  await run();
  const reads = sent.filter((c) => READS.some((r) => r in c)).map((c) => Object.fromEntries(Object.entries(c).filter(([k]) => !k.startsWith('$') && !['lsid', 'txnNumber', 'startTransaction', 'autocommit', 'readConcern'].includes(k))));
  expect(reads.length).toBeGreaterThan(0);
  return Promise.all(
    reads.map(async (command) => {
      const plan = nodes(await store.explain(command));
      return { command, stages: plan.map((n) => n.stage as string), indexes: plan.map((n) => n.indexName as string).filter(Boolean) };
    }),
  );
}

const INDEX_STAGES = ['IXSCAN', 'EXPRESS_IXSCAN', 'COUNT_SCAN', 'IDHACK'];

/** Every index the store declares, by name: its key's fields in order. */
const INDEX_KEYS = new Map<string, string[]>(
  ([...ImageRepository.indexes, ...SearchTerms.indexes] as IndexSpec[]).map((s) => [s.index.name, Object.keys(s.index.key)]),
);

/**
 * The read is served by an index that fits it: an _id lookup, or a named index whose first field
 * the filter constrains (not a whole index walked with the filter applied to every entry).
 */
function expectIndexFits(p: { command: Document; stages: string[]; indexes: string[] }): void {
  const what = JSON.stringify(p);
  expect(p.stages, what).not.toContain('COLLSCAN');
  expect(p.stages.some((s) => INDEX_STAGES.includes(s)), what).toBe(true);
  const filter = (p.command.filter ?? p.command.query ?? {}) as Document;
  for (const name of p.indexes) {
    if (name === '_id_') {
      expect(Object.keys(filter), what).toContain('_id');
      continue;
    }
    const key = INDEX_KEYS.get(name);
    expect(key, `${name} is not an index the store declares: ${what}`).toBeDefined();
    expect(Object.keys(filter), what).toContain(key![0]);
  }
}

describe('every search is answered by index scans', () => {
  it.each([
    ['a label', { object: 'bottle' }],
    ['an exact word', { text: 'bakery' }],
    ['several words', { text: 'wivenhoe bakery' }],
    ['a prefix', { text: 'wiven', mode: 'prefix' as const }],
    ['a fuzzy word', { text: 'wivenhoe', mode: 'fuzzy' as const }],
    ['a scene', { scene: 'kitchen' }],
    ['a location', { location: 'miramar' }],
    ['a camera serial', { serial: 'SN-4471' }],
    ['a case', { text: 'bakery', case: 'case-1' }],
    ['text, object and case together', { text: 'wivenhoe', object: 'cup', case: 'case-0' }],
    ['a later page', { object: 'bottle', limit: 5, offset: 5 }],
    ['a country', { country: 'PL' }],
    ['a time window', { from: '2019-04', to: '2019-04' }],
    ['a country and a period in a case', { country: 'poland', from: '2019', to: '2019', case: 'case-0' }],
  ])('when searching by %s, then every read is served by an index that fits it', async (_name, q) => {
    let total = 0;
    const plans = await plansOf(async () => (total = (await searchPage(store, q)).total));
    expect(total).toBeGreaterThan(0);
    for (const p of plans) expectIndexFits(p);
  });

  it('when a rare criterion narrows a common one, then the common one is read image by image through image_term', async () => {
    let total = 0;
    // One image has the serial and a text; thirty have the label: the label is checked on that image only.
    await store.images.save({ ...imageInput(sha(200), { objects: [objectClue('bottle', 0.9)], metadata: [{ type: 'metadata', value: 'SN-9', tokens: ['sn', '9'], score: 1, detail: { field: 'serial' } }] }) });
    const plans = await plansOf(async () => (total = (await searchPage(store, { serial: 'SN-9', object: 'bottle' })).total));
    expect(total).toBe(1);
    const narrowing = plans.filter((p) => p.command.find === 'search_terms' && (p.command.filter as Document).img);
    expect(narrowing.length, JSON.stringify(plans.map((p) => p.command))).toBeGreaterThan(0);
    for (const p of narrowing) expect(p.indexes).toEqual(['image_term']);
    for (const p of plans) expectIndexFits(p);
  });

  it('when an image\'s links are read, then no read scans a collection', async () => {
    let links = 0;
    const plans = await plansOf(async () => (links = (await store.links.linked(sha(1))).length));
    expect(links).toBeGreaterThan(0);
    for (const p of plans) expectIndexFits(p);
  });

  it('when the series of a case are read, then no read scans a collection', async () => {
    let series = 0;
    const plans = await plansOf(async () => (series = (await store.links.series(0.5, 'case-0')).length));
    expect(series).toBeGreaterThan(0);
    for (const p of plans) expectIndexFits(p);
  });

  it('when an image is saved again, then keeping its search terms current reads nothing by scan', async () => {
    const plans = await plansOf(() => store.images.save(imageInput(sha(1), { text: [textClue('WIVENHOE QUAY')] })));
    for (const p of plans) expectIndexFits(p);
  });
});

import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config';
import { openStore, type Store } from '../store';
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
  ])('when searching by %s, then no read scans a collection', async (_name, q) => {
    let total = 0;
    const plans = await plansOf(async () => (total = (await searchPage(store, q)).total));
    expect(total).toBeGreaterThan(0);
    for (const p of plans) {
      expect(p.stages, JSON.stringify(p.command)).not.toContain('COLLSCAN');
      expect(p.stages.some((s) => INDEX_STAGES.includes(s)), JSON.stringify(p)).toBe(true);
    }
  });

  it('when an image\'s links are read, then no read scans a collection', async () => {
    let links = 0;
    const plans = await plansOf(async () => (links = (await store.links.linked(sha(1))).length));
    expect(links).toBeGreaterThan(0);
    for (const p of plans) expect(p.stages, JSON.stringify(p.command)).not.toContain('COLLSCAN');
  });

  it('when the series of a case are read, then no read scans a collection', async () => {
    let series = 0;
    const plans = await plansOf(async () => (series = (await store.links.series(0.5, 'case-0')).length));
    expect(series).toBeGreaterThan(0);
    for (const p of plans) expect(p.stages, JSON.stringify(p.command)).not.toContain('COLLSCAN');
  });

  it('when an image is saved again, then keeping its search terms current reads nothing by scan', async () => {
    const plans = await plansOf(() => store.images.save(imageInput(sha(1), { text: [textClue('WIVENHOE QUAY')] })));
    for (const p of plans) expect(p.stages, JSON.stringify(p.command)).not.toContain('COLLSCAN');
  });
});

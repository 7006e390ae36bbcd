import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClueDoc, ImageDoc, Store } from '../store';
import { clueId } from '../store/images';
import { SEARCH_TERMS_VERSION } from '../store/search-terms';
import { reindex, reindexNeeded } from '../usecases/reindex';
import { runCli } from './support/cli';
import { openTestStore, searchPage, sha } from './support/store';

// `clues reindex`: images saved before a filter existed get its terms. Here 450 images hold
// country clues whose terms were never written (as before country search existed); status says
// a reindex is needed, a pass stopped half-way resumes, a second pass changes nothing, and a
// case's pass touches that case alone.

const N = 450;
let store: Store;
let dbName = '';

function country(img: string, code: string): ClueDoc {
  const c = { type: 'country' as const, value: code, tokens: [code.toLowerCase()], score: 0.8, detail: { name: code, rank: 1 } };
  return { ...c, _id: clueId(img, 'where', c), sha256: img, stage: 'where', createdAt: new Date() };
}

beforeAll(async () => {
  ({ store, dbName } = await openTestStore('reindex'));
  const now = new Date();
  const images: ImageDoc[] = Array.from({ length: N }, (_, i) => ({
    _id: sha(0x4e1d_0000 + i), sha256: sha(0x4e1d_0000 + i), paths: [`/evidence/${i}.jpg`], cases: [i % 3 === 0 ? 'case-a' : 'case-b'],
    status: 'processed', createdAt: now, updatedAt: now,
  }));
  await store.images.bulkInsert(images, images.map((img, i) => country(img._id, i % 2 ? 'PL' : 'DE')));
  // As a store made before country search: no country terms, no counts, an older version.
  await store.raw('search_terms').deleteMany({ k: 'country' });
  await store.raw('search_term_stats').deleteMany({ k: 'country' });
  await store.derived.setVersion('search-terms', '1');
});
afterAll(async () => store?.close());

const countryTotal = async (code: string, caseId?: string) => (await searchPage(store, { country: code, ...(caseId ? { case: caseId } : {}) })).total;
const snapshot = async () => ({
  terms: await store.raw('search_terms').find({}).sort({ _id: 1 }).toArray(),
  stats: (await store.raw('search_term_stats').find({}).sort({ _id: 1 }).toArray()).map((d) => ({ ...d, h: Object.fromEntries(Object.entries(d.h ?? {}).filter(([, n]) => n !== 0)) })),
});

describe('clues reindex', () => {
  it('when a store was built before a filter existed, then status says to reindex, and a case pass mends that case only', async () => {
    expect(await countryTotal('PL')).toBe(0);
    const status = await runCli(['status'], { CLUES_DB_NAME: dbName });
    expect(status.stdout).toMatch(/derived +search-terms: built with version 1, this version builds \S+; run `clues reindex`/);

    const r = await runCli(['reindex', '--case', 'case-a', '--json'], { CLUES_DB_NAME: dbName });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ caseId: 'case-a', results: [{ kind: 'search-terms', images: N / 3 }] });
    expect(await countryTotal('PL', 'case-a')).toBe(75);
    expect(await countryTotal('PL', 'case-b')).toBe(0);
    expect((await reindexNeeded(store)).map((n) => n.kind)).toEqual(['search-terms']); // the whole store is not current yet
  });

  it('when a pass stops half-way, then status says where, and the next pass resumes there and finishes', async () => {
    const stop = new Error('killed');
    await expect(
      reindex(store, {
        onProgress: (p) => {
          if (p.done >= 200) throw stop;
        },
      }),
    ).rejects.toBe(stop);
    const status = await runCli(['status'], { CLUES_DB_NAME: dbName });
    expect(status.stdout).toMatch(new RegExp(`derived +search-terms: a reindex stopped at 200 of ${N} images; run \`clues reindex\` to finish it`));

    const r = await runCli(['reindex', '--json'], { CLUES_DB_NAME: dbName });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ results: [{ kind: 'search-terms', version: SEARCH_TERMS_VERSION, images: N, resumedAt: 200 }] });
    expect(r.stderr).toMatch(new RegExp(`search-terms: ${N} of ${N} images \\(resumed\\)`));
    expect(await countryTotal('PL')).toBe(N / 2);
    expect(await countryTotal('DE')).toBe(N / 2);
    expect(await countryTotal('PL', 'case-b')).toBe(150);
    expect((await runCli(['status'], { CLUES_DB_NAME: dbName })).stdout).toMatch(/derived +up to date/);
  });

  it('when reindex runs again, then the terms and counts are exactly as they were', async () => {
    const before = await snapshot();
    const r = await runCli(['reindex'], { CLUES_DB_NAME: dbName });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`search-terms: ${N} images rebuilt`));
    expect(await snapshot()).toEqual(before);
  });
});

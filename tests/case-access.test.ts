import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { CASE_AWARE_ROUTES } from '../api/auth';
import type { Store } from '../store';
import { imageInput, openTestStore, sha, textClue } from './support/store';

// Issue 20, item 7: cases as access boundaries. An analyst token limited to named cases finds,
// views, links, series and exports only inside them; images of other cases are "no such image";
// routes that read across cases refuse it. An analyst without cases sees everything.

let store: Store;
let server: Server;
let base: string;
const t: Record<string, string> = {};
const A = sha(501); // case tulip
const B = sha(502); // case rose, sharing a sign with A (so they are linked)
const AB = sha(503); // in both

beforeAll(async () => {
  ({ store } = await openTestStore('cases'));
  await store.images.save({ ...imageInput(A, { text: [textClue('KAWIARNIA POD ZEGAREM')] }), caseId: 'tulip' });
  await store.images.save({ ...imageInput(B, { text: [textClue('KAWIARNIA POD ZEGAREM')] }), caseId: 'rose' });
  await store.images.save({ ...imageInput(AB, { text: [textClue('ZEGAREM')] }), caseId: 'rose' });
  await store.images.addSource(AB, '/evidence/ab-again.jpg', 'tulip');
  t.tulip = await store.tokens.create('tulip-analyst', 'analyst', { cases: ['tulip'] });
  t.both = await store.tokens.create('two-case-analyst', 'analyst', { cases: ['tulip', 'lily'] });
  t.all = await store.tokens.create('all-analyst', 'analyst');
  server = createApp(store).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await store?.close();
});

const call = async (path: string, token: string, method = 'GET') => {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: body as any };
};
const shas = (hits: { sha256: string }[]) => hits.map((h) => h.sha256).sort();

describe('cases as access boundaries', () => {
  it('when a token limited to one case searches, then it finds only that case\'s images; another case is refused; an unlimited analyst finds all', async () => {
    expect(shas((await call('/api/search?text=zegarem', t.tulip!)).body.hits)).toEqual([A, AB].sort());
    expect(shas((await call('/api/search?text=zegarem&case=tulip', t.tulip!)).body.hits)).toEqual([A, AB].sort());
    expect((await call('/api/search?text=zegarem&case=rose', t.tulip!)).status).toBe(403);
    expect(shas((await call('/api/search?text=zegarem', t.all!)).body.hits)).toEqual([A, B, AB].sort());
    // Two cases: the search names one of them.
    expect((await call('/api/search?text=zegarem', t.both!)).status).toBe(400);
    expect(shas((await call('/api/search?text=zegarem&case=tulip', t.both!)).body.hits)).toEqual([A, AB].sort());
  });

  it('when it asks for an image of another case, its picture, tags or where, then it is "no such image", and the refusal is audited', async () => {
    for (const path of [`/api/images/${B}`, `/api/images/${B}/thumbnail`, `/api/images/${B}/file`, `/api/images/${B}/tags`, `/api/images/${B}/links`, `/api/images/${B}/where`]) {
      expect(await call(path, t.tulip!), path).toMatchObject({ status: 404, body: { error: 'no such image' } });
    }
    expect((await call(`/api/images/${B}/tags`, t.tulip!, 'POST')).status).toBe(404);
    expect((await store.audit.recent(1))[0]).toMatchObject({ actor: 'tulip-analyst (analyst)', action: 'denied', detail: { reason: "image outside the token's cases" } });
    expect((await call(`/api/images/${A}`, t.tulip!)).status).toBe(200);
    expect((await call(`/api/images/${AB}`, t.tulip!)).status).toBe(200); // in one of its cases
    expect((await call(`/api/images/${B}`, t.all!)).status).toBe(200);
  });

  it('when it asks for an image\'s links, then links into other cases are left out', async () => {
    const all = (await call(`/api/images/${A}/links`, t.all!)).body as { sha256: string }[];
    expect(all.map((l) => l.sha256)).toContain(B);
    const mine = (await call(`/api/images/${A}/links`, t.tulip!)).body as { sha256: string }[];
    expect(mine.map((l) => l.sha256)).not.toContain(B);
    expect(mine.map((l) => l.sha256)).toContain(AB);
  });

  it('when it asks for series or an export, then only its case is read; another case is refused', async () => {
    expect((await call('/api/series?case=rose', t.tulip!)).status).toBe(403);
    expect((await call('/api/series', t.tulip!)).status).toBe(200);
    const vics = await call('/api/cases/tulip/vics', t.tulip!);
    expect(vics.status).toBe(200);
    expect(JSON.stringify(vics.body)).not.toContain(B.toUpperCase());
    expect((await call('/api/cases/rose/vics', t.tulip!)).status).toBe(403);
    expect((await call('/api/cases/rose/vics', t.all!)).status).toBe(200);
    expect((await call(`/api/images/${A}/where?series=true`, t.tulip!)).status).toBe(403);
  });

  it('when it asks for similar images in another case, then it is refused before any work is done', async () => {
    const res = await fetch(`${base}/api/similar?case=rose`, { method: 'POST', headers: { authorization: `Bearer ${t.tulip}`, 'content-type': 'image/png' }, body: Buffer.from('x') });
    expect(res.status).toBe(403);
  });

  it('when it uses a route that reads across cases (stats, runs, the audit), then it is refused; an unlimited analyst is not', async () => {
    for (const path of ['/api/stats', '/api/runs']) expect((await call(path, t.tulip!)).status, path).toBe(403);
    expect((await call('/api/stats', t.all!)).status).toBe(200);
    expect(CASE_AWARE_ROUTES.has('/api/stats')).toBe(false);
  });

  it('when cases are given to a token that is not an analyst\'s, then it is refused', async () => {
    await expect(store.tokens.create('case-admin', 'admin', { cases: ['tulip'] })).rejects.toThrow(/only an analyst token/);
  });
});

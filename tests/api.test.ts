import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import type { MongoClueStore } from '../store/clue-store';
import { imageInput, openTestStore, sha, textClue } from './support/store';

let store: MongoClueStore;
let server: Server;
let base: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  ({ store } = await openTestStore('api'));
  await store.saveImage(imageInput(sha(7), { text: [textClue('SCHOOL OF ST MARY')] }));
  for (const role of ['analyst', 'reviewer', 'tagger', 'admin'] as const) tokens[role] = await store.createToken(`test-${role}`, role);
  server = createApp(store).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await store?.close();
});

const get = async (path: string, token: string | null = tokens.analyst!) => {
  const res = await fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as unknown };
};

describe('OpenAPI document', () => {
  it('when /openapi.json is read, then it names exactly the routes the app serves, with their methods', async () => {
    const { status, body } = await get('/openapi.json', null);
    expect(status).toBe(200);
    const documented = Object.entries((body as { paths: Record<string, object> }).paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const router = (createApp(store) as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router;
    const served = router.stack
      .filter((l) => l.route)
      .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`));
    expect(documented.sort()).toEqual(served.sort());
  });

  it('when a documented route needs a token, then calling it without one answers 401', async () => {
    const paths = (await get('/openapi.json', null)).body as { paths: Record<string, { get?: { security?: unknown[] } }> };
    for (const [path, ops] of Object.entries(paths.paths)) {
      if (!ops.get?.security) continue;
      expect((await get(path.replace('{sha256}', sha(7)), null)).status, path).toBe(401);
    }
  });
});

describe('API access', () => {
  it('when no token or an unknown token is sent, then evidence routes answer 401 and the attempt is audited', async () => {
    expect((await get('/api/search?text=mary', null)).status).toBe(401);
    expect((await get('/api/search?text=mary', 'clu_' + 'x'.repeat(43))).status).toBe(401);
    expect((await store.recentAudit(1))[0]).toMatchObject({ actor: 'anonymous', action: 'denied', target: '/api/search' });
  });

  it.each(['analyst', 'reviewer', 'admin'])('when a %s searches or views an image, then it is allowed', async (role) => {
    expect((await get('/api/search?text=mary', tokens[role]!)).status).toBe(200);
    expect((await get(`/api/images/${sha(7)}`, tokens[role]!)).status).toBe(200);
  });

  it('when a tagger asks for evidence, then it is refused with 403', async () => {
    expect((await get('/api/search?text=mary', tokens.tagger!)).status).toBe(403);
    expect((await get(`/api/images/${sha(7)}`, tokens.tagger!)).status).toBe(403);
    expect((await store.recentAudit(1))[0]).toMatchObject({ actor: 'test-tagger', action: 'denied' });
  });

  it('when the audit log is read, then only an admin may, and the reading is audited itself', async () => {
    expect((await get('/api/audit?limit=5', tokens.analyst!)).status).toBe(403);
    const { status, body } = await get('/api/audit?limit=5', tokens.admin!);
    expect(status).toBe(200);
    expect((body as unknown[]).length).toBe(5);
    expect((await store.recentAudit(1))[0]).toMatchObject({ actor: 'test-admin (admin)', action: 'read-audit' });
  });

  it('when a token is revoked, then it no longer opens anything', async () => {
    const token = await store.createToken('leaver', 'analyst');
    expect((await get('/api/search?text=mary', token)).status).toBe(200);
    expect(await store.revokeTokens('leaver')).toBe(1);
    expect((await get('/api/search?text=mary', token)).status).toBe(401);
  });
});

describe('search API', () => {
  it('when the API is asked for health, then it answers ok', async () => {
    expect(await get('/health', null)).toEqual({ status: 200, body: { ok: true } });
  });

  it('when a word is searched, then the image comes back and the search is audited', async () => {
    const { status, body } = await get('/api/search?text=mary');
    expect(status).toBe(200);
    expect(body).toMatchObject({ total: 1, offset: 0, hits: [{ sha256: sha(7), matches: [{ type: 'text', value: 'SCHOOL OF ST MARY' }] }] });
    const [entry] = await store.recentAudit(1);
    expect(entry).toMatchObject({ action: 'search', actor: 'test-analyst (analyst)', detail: { text: 'mary', results: 1 } });
  });

  it('when an image is viewed, then its clues come back and the view is audited', async () => {
    const { status, body } = await get(`/api/images/${sha(7)}`);
    expect(status).toBe(200);
    expect((body as { clues: unknown[] }).clues).toHaveLength(1);
    expect((await store.recentAudit(1))[0]).toMatchObject({ action: 'view-image', target: sha(7) });
  });

  it('when a misread word is searched in fuzzy mode, then the image is found with the word highlighted', async () => {
    const { status, body } = await get('/api/search?text=MERY&mode=fuzzy');
    expect(status).toBe(200);
    expect((body as { hits: { matches: { highlights: { text: string }[] }[] }[] }).hits[0]!.matches[0]!.highlights.map((h) => h.text)).toEqual(['MARY']);
    expect((await get('/api/search?text=MERY')).body).toMatchObject({ total: 0 });
  });

  it('when the mode is not one the API knows, then it is refused with 400', async () => {
    expect((await get('/api/search?text=mary&mode=regex')).status).toBe(400);
  });

  it('when the links of an image are asked, then they come back (audited); an unknown image is 404', async () => {
    await store.saveImage(imageInput(sha(8), { text: [textClue('CHAPEL OF ST MARY')] }));
    const { status, body } = await get(`/api/images/${sha(7)}/links`);
    expect(status).toBe(200);
    expect(body).toMatchObject([{ sha256: sha(8), reasons: [{ kind: 'text', value: 'mary' }] }]);
    expect((await store.recentAudit(1))[0]).toMatchObject({ action: 'view-links', target: sha(7) });
    expect((await get(`/api/images/${sha(998)}/links`)).status).toBe(404);
    expect((await get('/api/series?minStrength=0.5')).body).toMatchObject([{ images: [{ sha256: sha(7) }, { sha256: sha(8) }] }]);
    expect((await get('/api/series?minStrength=7')).status).toBe(400);
  });

  it('when an upload is too large or not an image body, then it is refused with 413 or 415', async () => {
    const post = (body: Uint8Array | string, type: string) => fetch(`${base}/api/similar`, { method: 'POST', body, headers: { authorization: `Bearer ${tokens.analyst}`, 'content-type': type } });
    expect((await post(new Uint8Array(26 * 1024 * 1024), 'image/jpeg')).status).toBe(413);
    expect((await post('{"a":1}', 'application/json')).status).toBe(415);
  });

  it('when a search has no criteria, then it is refused with 400', async () => {
    expect((await get('/api/search')).status).toBe(400);
  });

  it('when a query smuggles a MongoDB operator, then it is refused with 400', async () => {
    expect((await get('/api/search?text[$gt]=')).status).toBe(400);
    expect((await get('/api/search?text=a&$where=1')).status).toBe(400);
  });

  it('when an image id is not a SHA-256, then it is refused with 400; an unknown one is 404', async () => {
    expect((await get('/api/images/..%2F..%2Fetc%2Fpasswd')).status).toBe(400);
    expect((await get(`/api/images/${sha(999)}`)).status).toBe(404);
    expect((await get('/nope')).status).toBe(404);
  });
});

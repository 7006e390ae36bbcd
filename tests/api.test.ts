import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { authFailures, bearerToken } from '../api/auth';
import { BATCH_RUN_ID } from '../api/params';
import { captureLogs, logger } from '../core/log';
import type { Store } from '../store';
import { TokenNameTakenError } from '../store/api-tokens';
import { tempDir } from './support/fixtures';
import { imageInput, openTestStore, sha, textClue } from './support/store';

let store: Store;
let server: Server;
let base: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  ({ store } = await openTestStore('api'));
  await store.images.save(imageInput(sha(7), { text: [textClue('SCHOOL OF ST MARY')] }));
  for (const role of ['analyst', 'reviewer', 'tagger', 'admin'] as const) tokens[role] = await store.tokens.create(`test-${role}`, role);
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
    // Counted in one record per address and minute (api/auth-failures.ts).
    await authFailures(store).flush();
    const denied = (await store.audit.recent(50)).filter((e) => e.action === 'denied' && e.actor === 'anonymous');
    expect(denied.length).toBeGreaterThan(0);
    expect(denied[0]).toMatchObject({ from: '127.0.0.1', detail: { count: expect.any(Number) } });
  });

  it.each(['analyst', 'reviewer', 'admin'])('when a %s searches or views an image, then it is allowed', async (role) => {
    expect((await get('/api/search?text=mary', tokens[role]!)).status).toBe(200);
    expect((await get(`/api/images/${sha(7)}`, tokens[role]!)).status).toBe(200);
  });

  it('when a tagger asks for evidence, then it is refused with 403', async () => {
    expect((await get('/api/search?text=mary', tokens.tagger!)).status).toBe(403);
    expect((await get(`/api/images/${sha(7)}`, tokens.tagger!)).status).toBe(403);
    expect((await store.audit.recent(1))[0]).toMatchObject({ actor: 'test-tagger', action: 'denied' });
  });

  it('when the audit log is read, then only an admin may, and the reading is audited itself', async () => {
    expect((await get('/api/audit?limit=5', tokens.analyst!)).status).toBe(403);
    const { status, body } = await get('/api/audit?limit=5', tokens.admin!);
    expect(status).toBe(200);
    expect((body as unknown[]).length).toBe(5);
    expect((await store.audit.recent(1))[0]).toMatchObject({ actor: 'test-admin (admin)', action: 'read-audit' });
  });

  it('when a token is created under the name of an active one, then it is refused; once that one is revoked with its reason, the name may be issued again', async () => {
    const first = await store.tokens.create('unique-name', 'analyst');
    await expect(store.tokens.create('unique-name', 'admin')).rejects.toThrow(TokenNameTakenError);
    expect(await store.tokens.revoke('unique-name', 'laptop lost')).toBe(1);
    expect((await store.tokens.list()).find((t) => t.name === 'unique-name')).toMatchObject({ revokedReason: 'laptop lost' });
    const second = await store.tokens.create('unique-name', 'analyst');
    expect(second).not.toBe(first);
    expect((await get('/api/search?text=mary', first)).status).toBe(401);
    expect((await get('/api/search?text=mary', second)).status).toBe(200);
  });

  it('when a token is revoked, then it no longer opens anything', async () => {
    const token = await store.tokens.create('leaver', 'analyst');
    expect((await get('/api/search?text=mary', token)).status).toBe(200);
    expect(await store.tokens.revoke('leaver', 'left the team')).toBe(1);
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
    const [entry] = await store.audit.recent(1);
    expect(entry).toMatchObject({ action: 'search', actor: 'test-analyst (analyst)', detail: { text: 'mary', results: 1 } });
  });

  it('when an image is viewed, then its clues come back and the view is audited', async () => {
    const { status, body } = await get(`/api/images/${sha(7)}`);
    expect(status).toBe(200);
    expect((body as { clues: unknown[] }).clues).toHaveLength(1);
    expect((await store.audit.recent(1))[0]).toMatchObject({ action: 'view-image', target: sha(7) });
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
    await store.images.save(imageInput(sha(8), { text: [textClue('CHAPEL OF ST MARY')] }));
    const { status, body } = await get(`/api/images/${sha(7)}/links`);
    expect(status).toBe(200);
    expect(body).toMatchObject([{ sha256: sha(8), reasons: [{ kind: 'text', value: 'mary' }] }]);
    expect((await store.audit.recent(1))[0]).toMatchObject({ action: 'view-links', target: sha(7) });
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

describe('request bodies', () => {
  const MARK = 'RAW-BODY-MARK-7f3a';
  const put = (body: string | Uint8Array, headers: Record<string, string>) =>
    fetch(`${base}/api/me/settings`, { method: 'PUT', body, headers: { authorization: `Bearer ${tokens.analyst}`, ...headers } });

  it.each([
    ['malformed JSON', `{"unblurThumbnails": "${MARK}`, { 'content-type': 'application/json' }, 400],
    ['a JSON null', 'null', { 'content-type': 'application/json' }, 400],
    ['a JSON string', `"${MARK}"`, { 'content-type': 'application/json' }, 400],
    ['an unknown charset', `{"a":"${MARK}"}`, { 'content-type': 'application/json; charset=koi8-r' }, 415],
    ['an unknown Content-Encoding', `{"a":"${MARK}"}`, { 'content-type': 'application/json', 'content-encoding': 'zstd-nope' }, 415],
    ['a corrupt gzip body', `not gzip ${MARK}`, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 400],
    ['a truncated gzip body', gzipSync(`{"a":"${MARK}"}`).subarray(0, 12), { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 400],
  ] as const)('when the body is %s, then it is refused with 400 or 415, and the log holds neither body nor stack', async (_what, body, headers, status) => {
    const logs = captureLogs();
    try {
      const res = await put(body, headers);
      expect(res.status).toBe(status);
      const answer = (await res.json()) as { error: string };
      expect(answer.error).not.toContain(MARK);
      expect(logs.text()).not.toContain(MARK);
      expect(logs.text()).not.toContain(tokens.analyst!);
      expect(logs.text()).not.toMatch(/\bat .+:\d+:\d+/); // no stack frames
      expect(logs.lines()).toEqual([expect.objectContaining({ level: 'info', msg: 'request body refused', status, req: { method: 'PUT', path: '/api/me/settings' } })]);
    } finally {
      logs.restore();
    }
  });

  it('when a route fails inside, then the answer is a bare 500 and the log has the error but no body and no Authorization header', async () => {
    const { store: broken } = await openTestStore('api-broken');
    const token = await broken.tokens.create('broken-analyst', 'analyst');
    await broken.close(); // every query now fails
    const app = createApp(broken).listen(0, '127.0.0.1');
    await new Promise((r) => app.once('listening', r));
    const logs = captureLogs();
    try {
      const res = await fetch(`http://127.0.0.1:${(app.address() as AddressInfo).port}/api/me/settings?x=${MARK}`, {
        method: 'PUT',
        body: JSON.stringify({ unblurThumbnails: true, note: MARK }),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: 'internal error' });
      const [line, ...more] = logs.lines();
      expect(more).toEqual([]);
      expect(line).toMatchObject({ level: 'error', name: 'api', msg: 'internal error', req: { method: 'PUT', path: '/api/me/settings' }, err: { type: expect.any(String) } });
      expect(logs.text()).not.toContain(MARK);
      expect(logs.text()).not.toContain(token);
      expect(logs.text()).not.toMatch(/authorization/i);
    } finally {
      logs.restore();
      app.close();
    }
  });

  it('when anything logs a token, a body, OCR text or a clue value, then the redaction list keeps it out', () => {
    const logs = captureLogs();
    try {
      const err = Object.assign(new Error('write failed'), { body: `{"what":"${MARK}"}` });
      logger('test').error({ err, req: { method: 'POST', path: '/x', headers: { authorization: `Bearer ${MARK}` } }, token: MARK, text: MARK, clue: { value: MARK }, headers: { authorization: MARK } }, 'failed');
      expect(logs.text()).not.toContain(MARK);
      expect(logs.lines()[0]).toMatchObject({ err: { message: 'write failed', body: '[redacted]' }, token: '[redacted]', text: '[redacted]', clue: { value: '[redacted]' } });
    } finally {
      logs.restore();
    }
  });
});

describe('HTTP hardening', () => {
  it('when a path parameter is not valid percent-encoding, then it is refused with 400, not logged as an internal error', async () => {
    // Found by tests/fuzz-api.test.ts: the router's URIError was answered 500 and logged with the parameter.
    const logs = captureLogs();
    try {
      for (const path of ['/api/runs/%', `/api/images/%E0%A4%A/tags`, '/api/images/%zz', '/api/crops/%/withdraw']) {
        const res = await fetch(base + path, { method: path.endsWith('/withdraw') ? 'POST' : 'GET', headers: { authorization: `Bearer ${tokens.admin}` } });
        expect(res.status, path).toBe(400);
        expect(await res.json()).toEqual({ error: 'the path is not valid percent-encoding' });
      }
      expect(logs.lines().map((l) => l.level)).not.toContain('error');
      expect(logs.text()).not.toMatch(/Failed to decode param/);
    } finally {
      logs.restore();
    }
  });

  it('when the scheme is written bearer or BEARER, then the token is accepted (scheme names are case-insensitive)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await fetch(`${base}/api/me`, { headers: { authorization: `${scheme} ${tokens.analyst}` } });
      expect(res.status, scheme).toBe(200);
    }
    expect(bearerToken(`Bearer  ${tokens.analyst} `)).toBe(tokens.analyst);
    expect(bearerToken('Basic abc')).toBe('');
    expect(bearerToken('Bearerabc')).toBe('');
  });

  it('when any API route answers, success or error, then it says Cache-Control: no-store', async () => {
    const paths: [string, string | null][] = [['/api/search?text=mary', tokens.analyst!], [`/api/images/${sha(7)}`, tokens.analyst!], ['/api/me', tokens.tagger!], ['/api/stats', tokens.analyst!], ['/api/search?text=mary', null], ['/api/nothing-here', tokens.analyst!], [`/api/images/${sha(999)}`, tokens.analyst!]];
    for (const [path, token] of paths) {
      const res = await fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect(res.headers.get('cache-control'), path).toMatch(/no-store/);
    }
  });

  it('when a run route is given an id that is not a batch run (an image workflow, a query), then it is 404 before Temporal is asked', async () => {
    // This app has no Temporal client: asking it would answer 503.
    const call = (path: string, method = 'GET') => fetch(base + path, { method, headers: { authorization: `Bearer ${tokens.analyst}` } });
    for (const id of [`image-${sha(7)}`, 'similar-0123456789abcdef-5c1e0b2a-3c1d-4c1e-9a1b-0123456789ab', 'watch-x', 'run-', 'run-20240101T000000-abc/../x']) {
      expect((await call(`/api/runs/${encodeURIComponent(id)}`)).status, id).toBe(404);
      expect((await call(`/api/runs/${encodeURIComponent(id)}/cancel`, 'POST')).status, id).toBe(404);
    }
    for (const id of ['run-20240517T140322-k3x9', 'watch-srv-evidence-incoming-workflow-2024-05-17T22:00:00Z']) {
      expect(BATCH_RUN_ID.test(id), id).toBe(true);
      expect((await call(`/api/runs/${id}`)).status, id).toBe(503);
    }
  });

  it('when a source map is asked for, then it is not served, even if a build left one', async () => {
    const webDir = tempDir('web');
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'assets', 'analyst.js'), 'console.log(1)');
    writeFileSync(join(webDir, 'assets', 'analyst.js.map'), '{"sources":["analyst.ts"]}');
    const app = createApp(store, { webDir }).listen(0, '127.0.0.1');
    await new Promise((r) => app.once('listening', r));
    const at = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${at}/assets/analyst.js`)).status).toBe(200);
      for (const path of ['/assets/analyst.js.map', '/assets/analyst.js%2Emap', '/assets/ANALYST.JS.MAP', '/assets/analyst.js%2emap']) {
        const res = await fetch(at + path);
        expect(res.status, path).toBe(404);
        expect(await res.text()).not.toContain('sources');
      }
    } finally {
      app.close();
    }
  });
});

import { mkdirSync } from 'node:fs';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { openApiDocument } from '../api/openapi';
import { BATCH_RUN_ID } from '../api/params';
import { runCli } from './support/cli';
import { cupOnTable, tempDir } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

// Issue 11, item 9: fast-check generates path parameters, query parameters, headers and bodies
// for every route of the OpenAPI document, for unknown routes and wrong methods, with each
// role's token and none. The property: no 500 (no 5xx at all), and no answer slower than 2 s.
//
// The app runs in this process on the real database, with a Temporal client and a real worker:
// every route that needs Temporal (similar, places, runs) has it, so 503 is never right either.
// It has an import root holding one small folder, so a fuzzed POST /api/runs may start a real run.

const ROLES = ['analyst', 'reviewer', 'tagger', 'admin', 'none', 'forged'] as const;
type Role = (typeof ROLES)[number];
const SLOW_MS = 2000;
/** Runs per route: the whole file stays well under two minutes on two busy cores. */
const RUNS = Number(process.env.CLUES_FUZZ_RUNS ?? 100);

let ctx: TestContext;
let server: Server;
let port: number;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const tokens: Partial<Record<Role, string>> = {};
/** Ids that exist, so that fuzzed requests reach past "no such ...". */
const known = { sha256: '', clueId: '', cropId: '', tagId: '', answerKey: '', runId: '' };
let tinyPng: Buffer;
let tinyJpeg: Buffer;
let stopWorker: () => Promise<void>;

interface Req {
  method: string;
  path: string;
  role: Role;
  headers: Record<string, string>;
  body?: Buffer;
}
interface Res {
  status: number;
  ms: number;
  body: string;
}

function send(r: Req): Promise<Res> {
  const headers: Record<string, string> = { ...r.headers };
  if (r.role === 'forged') headers.authorization = `Bearer clu_${'A'.repeat(43)}`;
  else if (r.role !== 'none') headers.authorization = `Bearer ${tokens[r.role]}`;
  // Node frames a GET, HEAD, DELETE, OPTIONS or TRACE body only with an explicit length.
  if (r.body) headers['content-length'] = String(r.body.length);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - t0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error('no answer in 15 s')));
    req.end(r.body);
  });
}

/** Statuses seen per operation: the fuzzer must get past the token check, not only be refused by it. */
const seen = new Map<string, Map<number, number>>();
const slowest = new Map<string, number>();
/** Undocumented paths that answered 2xx (the static assets): printed with the report. */
const answeredUnknown: string[] = [];
let current = '';

/** The property for one request: an answer below 500, in under 2 s. */
async function holds(r: Req): Promise<void> {
  const res = await send(r);
  const statuses = seen.get(current) ?? new Map<number, number>();
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  seen.set(current, statuses);
  slowest.set(current, Math.max(slowest.get(current) ?? 0, res.ms));
  if (current === 'unknown paths' && res.status < 300) answeredUnknown.push(`${r.method} ${r.path} -> ${res.status}`);
  const what = `${r.method} ${r.path} as ${r.role} ${JSON.stringify(r.headers)} body ${r.body ? JSON.stringify(r.body.toString('utf8').slice(0, 200)) : '-'} -> ${res.status} ${res.body.slice(0, 300)}`;
  expect(res.status, what).toBeLessThan(500);
  expect(res.ms, what).toBeLessThan(SLOW_MS);
}

// ---- values ---------------------------------------------------------------------------------

const nasty = fc.constantFrom('', ' ', 'a', 'mary', 'null', 'true', '0', '-1', '1e309', 'NaN', '$gt', '{"$ne":null}', '[object Object]', '__proto__', 'constructor', '../../etc/passwd', '..%2f..%2fetc%2fpasswd', '%00', '\u0000', '\u202e', '<script>alert(1)</script>', "' OR 1=1 --", 'a'.repeat(300), '𝕏'.repeat(150), 'x'.repeat(5000));
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), nasty);
const numberText = fc.oneof(fc.integer().map(String), fc.double().map(String), fc.constantFrom('0', '1', '20', '500', '501', '-0', '1.5', '0x10', ' 3', '3 ', '1e3', '9'.repeat(400), 'Infinity', '-Infinity', 'NaN', ''));

/** A value for an OpenAPI schema, as query text: mostly of the right kind, often not. */
function queryValue(schema: Record<string, unknown>): fc.Arbitrary<string> {
  if (Array.isArray(schema.enum)) return fc.oneof(fc.constantFrom(...(schema.enum as string[])), text);
  if (schema.type === 'integer' || schema.type === 'number') return fc.oneof(numberText, text);
  return text;
}

/** A JSON value for a schema: mostly of the right kind, often not; for an id, sometimes one that exists. */
function jsonValue(name: string, schema: Record<string, unknown>): fc.Arbitrary<unknown> {
  const existing: Record<string, string> = { clueId: known.clueId, key: known.answerKey, source: 'seizure' };
  if (existing[name]) return fc.oneof(fc.constant(existing[name]), text, fc.jsonValue({ maxDepth: 2 }));
  if (schema.type === 'boolean') return fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 2 }));
  if (schema.type === 'integer') return fc.oneof(fc.integer(), fc.double(), fc.jsonValue({ maxDepth: 2 }));
  if (schema.type === 'string') return fc.oneof(text, fc.jsonValue({ maxDepth: 2 }));
  return fc.jsonValue({ maxDepth: 3 });
}

// ---- requests -------------------------------------------------------------------------------

type Param = { name: string; in: string; schema?: Record<string, unknown> };
type Operation = { parameters?: readonly Param[]; requestBody?: { content: Record<string, { schema?: { properties?: Record<string, Record<string, unknown>>; required?: readonly string[] } }> } };

/** A path parameter: an id that exists, one of the right shape, or anything, encoded or raw. */
function pathValue(route: string, name: string): fc.Arbitrary<string> {
  const shaped: Record<string, fc.Arbitrary<string>> = {
    sha256: fc.oneof(fc.constant(known.sha256), fc.stringMatching(/^[0-9a-f]{64}$/)),
    id: route.startsWith('/api/runs') ? fc.oneof(fc.constant(known.runId), fc.stringMatching(BATCH_RUN_ID), fc.constantFrom(`image-${known.sha256}`, 'run-')) : fc.oneof(fc.constant(known.cropId), fc.stringMatching(/^TAO-[0-9A-F]{10}$/)),
    tagId: fc.oneof(fc.constant(known.tagId), fc.stringMatching(/^[0-9a-f]{16}$/)),
    action: fc.constantFrom('pause', 'resume', 'cancel', 'terminate', 'delete'),
  };
  return fc.oneof(
    { weight: 3, arbitrary: (shaped[name] ?? text).map(encodeURIComponent) },
    { weight: 1, arbitrary: text.map(encodeURIComponent) },
    // Raw: any printable byte a request line may carry, broken percent-escapes and slashes included.
    { weight: 1, arbitrary: fc.stringMatching(/^[!-~]{0,24}$/).filter((s) => !s.includes('?') && !s.includes('#')) },
  );
}

/** Query text from the declared parameters, plus unknown keys, operators and repeats. */
function query(params: readonly Param[]): fc.Arbitrary<string> {
  const declared = params.filter((p) => p.in === 'query');
  const pairs = fc.array(
    fc.oneof(
      { weight: 4, arbitrary: declared.length ? fc.constantFrom(...declared).chain((p) => queryValue(p.schema ?? {}).map((v) => [p.name, v] as const)) : fc.constant(['limit', '5'] as const) },
      { weight: 1, arbitrary: fc.tuple(fc.oneof(text, fc.constantFrom('text[$gt]', 'text[]', '$where', '__proto__', 'constructor[prototype][x]', 'limit', 'a.b')), text) },
    ),
    { maxLength: 6 },
  );
  return pairs.map((ps) => (ps.length ? '?' + ps.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&') : ''));
}

const jsonTypes = fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'application/json; charset=UTF-16', 'application/json; charset=koi8-r', 'application/merge-patch+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '');
/** A value the schema accepts (an id that exists where the field is one), to reach past validation. */
function validValue(name: string, schema: Record<string, unknown>): fc.Arbitrary<unknown> {
  const existing: Record<string, string> = { clueId: known.clueId, key: known.answerKey, source: 'seizure' };
  if (existing[name]) return fc.constant(existing[name]);
  if (schema.type === 'boolean') return fc.boolean();
  if (schema.type === 'integer') return fc.integer({ min: 1, max: 64 });
  const min = (schema.minLength as number | undefined) ?? 1;
  return fc.string({ minLength: min, maxLength: Math.min((schema.maxLength as number | undefined) ?? 40, min + 40) }).filter((v) => v.trim().length >= min);
}

/** A JSON body for a schema, or one that breaks it: wrong types, extra keys, not JSON, deep, big, compressed. */
function jsonBody(op: Operation): fc.Arbitrary<{ body: Buffer; headers: Record<string, string> }> {
  const schema = op.requestBody?.content['application/json']?.schema ?? {};
  const props = schema.properties ?? {};
  const valid = fc
    .record(Object.fromEntries(Object.entries(props).map(([k, s]) => [k, validValue(k, s)])), { requiredKeys: (schema.required ?? []) as string[] })
    .map((o) => ({ body: Buffer.from(JSON.stringify(o)), headers: { 'content-type': 'application/json' } as Record<string, string> }));
  const shaped = fc.record(Object.fromEntries(Object.entries(props).map(([k, s]) => [k, jsonValue(k, s)])), { requiredKeys: [] });
  const raw = fc.oneof(
    { weight: 4, arbitrary: shaped.map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.tuple(shaped, fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })).map(([a, b]) => JSON.stringify({ ...b, ...a })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: text },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{"__proto__":{"role":"admin"}}',
        '{"constructor":{"prototype":{"role":"admin"}}}',
        '['.repeat(5000) + ']'.repeat(5000),
        '{"a":'.repeat(2000) + '1' + '}'.repeat(2000),
        JSON.stringify({ value: 'x'.repeat(20_000) }),
        '{"unblurThumbnails":true,"unblurThumbnails":"yes"}',
        '\ufeff{"value":"bom"}',
        'null',
        '',
      ),
    },
  );
  const fuzzed = fc.tuple(raw, jsonTypes, fc.constantFrom('none', 'none', 'none', 'none', 'gzip', 'bad-gzip', 'deflate', 'br', 'x-unknown')).map(([s, type, enc]) => {
    const headers: Record<string, string> = type ? { 'content-type': type } : {};
    let body = Buffer.from(s, 'utf8');
    if (enc === 'gzip') body = gzipSync(body);
    if (enc !== 'none') headers['content-encoding'] = enc === 'bad-gzip' ? 'gzip' : enc;
    return { body, headers };
  });
  return fc.oneof({ weight: 1, arbitrary: valid }, { weight: 3, arbitrary: fuzzed });
}

/** An image body: random bytes, a tiny real image, an empty one, or something else, under various types. */
function imageBody(): fc.Arbitrary<{ body: Buffer; headers: Record<string, string> }> {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
    fc.constant(tinyPng),
    fc.constant(tinyJpeg),
    fc.constant(Buffer.alloc(0)),
    fc.constant(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><image href="file:///etc/passwd"/></svg>')),
    fc.constant(tinyPng.subarray(0, 40)),
  );
  const type = fc.constantFrom('image/png', 'image/jpeg', 'image/svg+xml', 'image/*', 'application/octet-stream', 'application/json', 'text/plain', '');
  return fc.tuple(bytes, type).map(([body, t]): { body: Buffer; headers: Record<string, string> } => ({ body, headers: t ? { 'content-type': t } : {} }));
}

/** Requests for one documented operation. */
function requestsFor(route: string, method: string, op: Operation): fc.Arbitrary<Req> {
  const names = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const path = fc.tuple(...names.map((n) => pathValue(route, n))).map((vals) => names.reduce((p, n, i) => p.replace(`{${n}}`, vals[i]!), route));
  const content = op.requestBody?.content ?? {};
  const body = content['application/json'] ? jsonBody(op) : Object.keys(content).some((t) => t.startsWith('image/')) ? imageBody() : fc.constant({ body: undefined, headers: {} });
  return fc.record({ path, query: query(op.parameters ?? []), role: fc.constantFrom(...ROLES), body }).map(({ path, query, role, body }) => ({
    method: method.toUpperCase(),
    path: path + query,
    role,
    headers: body.headers,
    ...(body.body !== undefined ? { body: body.body } : {}),
  }));
}

const operations = Object.entries(openApiDocument.paths as unknown as Record<string, Record<string, Operation>>).flatMap(([route, ops]) => Object.entries(ops).map(([method, op]) => ({ route, method, op })));

// ---- set-up ---------------------------------------------------------------------------------

beforeAll(async () => {
  ctx = await openTestContext('fuzz');
  tinyPng = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer();
  tinyJpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 10, g: 200, b: 10 } } }).jpeg().toBuffer();
  for (const role of ['analyst', 'reviewer', 'tagger', 'admin'] as const) {
    const r = await runCli(['token', 'create', '--name', `fuzz-${role}`, '--role', role, '--json'], { CLUES_DB_NAME: ctx.dbName });
    tokens[role] = (JSON.parse(r.stdout) as { token: string }).token;
  }
  const importRoot = tempDir('fuzz-import');
  mkdirSync(join(importRoot, 'seizure'));
  await cupOnTable(join(importRoot, 'seizure'), 'cup.png');

  // A worker for the whole file: withWorker runs it until the promise given to it settles.
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let started!: (taskQueue: string) => void;
  const queue = new Promise<string>((r) => (started = r));
  const running = ctx.withWorker(async (taskQueue) => {
    started(taskQueue);
    await released;
  });
  stopWorker = () => {
    release();
    return running;
  };
  const taskQueue = await queue;
  server = createApp(ctx.store, { temporal: { client: ctx.client, taskQueue }, importRoot }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;

  // An image with an object, a published crop with an answer, and a run: ids for the fuzzer to find.
  const env = { CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName };
  const ingest = JSON.parse((await runCli(['ingest', join(importRoot, 'seizure'), '--wait', '--json'], env)).stdout) as { results: { sha256: string }[] };
  known.sha256 = ingest.results[0]!.sha256;
  const call = async (method: string, path: string, role: Role, json?: unknown) => {
    const res = await send({ method, path, role, headers: { 'content-type': 'application/json' }, ...(json !== undefined ? { body: Buffer.from(JSON.stringify(json)) } : {}) });
    return JSON.parse((res.body || 'null')) as any;
  };
  const image = await call('GET', `/api/images/${known.sha256}`, 'analyst');
  known.clueId = (image.clues as { _id: string; type: string; value: string }[]).find((c) => c.type === 'object' && c.value === 'cup')!._id;
  known.cropId = (await call('POST', '/api/crops', 'reviewer', { clueId: known.clueId })).id;
  known.tagId = (await call('POST', `/api/public/crops/${known.cropId}/tags`, 'tagger', { what: 'a coffee cup', where: 'a cafe' })).id;
  known.answerKey = ((await call('GET', '/api/review', 'reviewer')) as { id: string; answers: { key: string }[] }[]).find((c) => c.id === known.cropId)!.answers[0]!.key;
  known.runId = (await call('POST', '/api/runs', 'analyst', { source: 'seizure' })).runId;
  expect(Object.values(known).every(Boolean), JSON.stringify(known)).toBe(true);
});

afterAll(async () => {
  if (process.env.CLUES_FUZZ_REPORT) console.log('undocumented paths answered 2xx:', answeredUnknown);
  if (process.env.CLUES_FUZZ_REPORT) for (const [name, statuses] of seen) console.log(name.padEnd(48), `slowest ${Math.round(slowest.get(name) ?? 0)} ms`.padEnd(16), [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}x${n}`).join(' '));
  server?.close();
  agent.destroy();
  await stopWorker?.();
  await ctx?.close();
});

// ---- properties -----------------------------------------------------------------------------

describe('fuzzing every documented route', () => {
  // The fuzzer may withdraw the published crop: publish it again, so that later routes can find it.
  beforeEach(async () => {
    await send({ method: 'POST', path: '/api/crops', role: 'reviewer', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ clueId: known.clueId })) });
  });

  it('when the document is read, then every operation is fuzzed below', () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
  });

  it.each(operations.map((o) => [`${o.method.toUpperCase()} ${o.route}`, o] as const))('when %s gets generated parameters and bodies with any role, then no answer is a 5xx or slower than 2 s', async (name, { route, method, op }) => {
    current = name;
    await fc.assert(fc.asyncProperty(requestsFor(route, method, op), holds), { numRuns: RUNS });
    // Past the token check: some requests reached the route itself (a 2xx, a 400 from its schema, a 404...).
    expect([...seen.get(name)!.keys()].some((s) => s !== 401 && s !== 403), JSON.stringify([...seen.get(name)!])).toBe(true);
  });
});

describe('fuzzing what is not documented', () => {
  const segment = fc.oneof(text.map(encodeURIComponent), fc.stringMatching(/^[!-~]{1,16}$/).filter((s) => !s.includes('?') && !s.includes('#')), fc.constantFrom('api', 'images', 'runs', 'crops', 'public', '..', '.', '%2e%2e', '%2f', 'assets', 'analyst.js.map', 'openapi.json'));
  const methods = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE');

  it('when unknown paths are asked with any method and role, then no answer is a 5xx or slower than 2 s', async () => {
    current = 'unknown paths';
    const req = fc.record({ segments: fc.array(segment, { minLength: 1, maxLength: 5 }), prefix: fc.constantFrom('', '/api', '/assets', '/api/images', '/api/public/crops'), method: methods, role: fc.constantFrom(...ROLES), body: fc.option(fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)), { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(req, (r) => holds({ method: r.method, path: `${r.prefix}/${r.segments.join('/')}`, role: r.role, headers: r.body ? { 'content-type': 'application/octet-stream' } : {}, ...(r.body ? { body: r.body } : {}) })),
      { numRuns: RUNS * 4 },
    );
  });

  it('when a documented path is asked with a method it does not serve, then no answer is a 5xx or slower than 2 s', async () => {
    current = 'wrong methods';
    const req = fc.record({ op: fc.constantFrom(...operations), method: methods, role: fc.constantFrom(...ROLES) }).filter(({ op, method }) => method.toLowerCase() !== op.method);
    await fc.assert(
      fc.asyncProperty(req, (r) => holds({ method: r.method, path: r.op.route.replace(/\{sha256\}/g, known.sha256).replace(/\{id\}/g, r.op.route.startsWith('/api/runs') ? known.runId : known.cropId).replace(/\{tagId\}/g, known.tagId).replace(/\{action\}/g, 'pause'), role: r.role, headers: {} })),
      { numRuns: RUNS * 2 },
    );
  });
});

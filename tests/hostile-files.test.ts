import { rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import type { BatchProgress } from '../core/batch';
import { STAGES } from '../core/clues';
import type { IngestSummary } from '../usecases/ingest';
import { decodeReason } from '../models/decode-reason';
import { fileSha256 } from '../models/file-hashes';
import { runCli } from './support/cli';
import { tempDir } from './support/fixtures';
import { secondTime, writeHostileCorpus, type Expected, type HostileFile } from './support/hostile-corpus';
import { openTestContext, type TestContext } from './support/services';

// Issue 11, item 6: a corpus of odd and hostile files (tests/support/hostile-corpus.ts) through
// `clues ingest --wait` and `clues run`, with a real worker in this process. Every file is counted
// once with its reason, the worker lives on, and nothing outside the folder is read. Each command
// gets a corpus of its own (same kinds, other bytes), so that each processes every file itself.

interface Corpus {
  dir: string;
  files: HostileFile[];
  /** SHA-256 of each file that can be read. */
  sha: Map<string, string>;
}

let ctx: TestContext;
let outside: string;
let httpPort: number;
/** Requests the corpus's SVGs might make: there must be none. */
const httpRequests: string[] = [];
let http: Server;
let api: Server;
let apiBase: string;
let token: string;
/** The corpora processed so far: the store must hold exactly their records. */
const done: Corpus[] = [];

/** Every folder this file made, removed at the end. */
const made: string[] = [];

async function newCorpus(name: string): Promise<Corpus> {
  const dir = tempDir(name);
  made.push(dir);
  const files = await writeHostileCorpus(dir, { outside, httpPort, root: process.getuid?.() === 0 });
  const sha = new Map<string, string>();
  for (const f of files) {
    if (f.expect.outcome === 'skipped') continue;
    const h = await fileSha256(join(dir, f.name)).catch(() => null);
    if (h) sha.set(f.name, h);
  }
  return { dir, files, sha };
}

beforeAll(async () => {
  ctx = await openTestContext('hostile');
  http = createHttpServer((req, res) => {
    httpRequests.push(`${req.method} ${req.url}`);
    res.end();
  }).listen(0, '127.0.0.1');
  await new Promise((r) => http.once('listening', r));
  httpPort = (http.address() as AddressInfo).port;
  outside = tempDir('hostile-outside');
  await sharp({ create: { width: 50, height: 50, channels: 3, background: { r: 0, g: 0, b: 255 } } }).png().toFile(join(outside, 'outside.png'));
  api = createApp(ctx.store).listen(0, '127.0.0.1');
  await new Promise((r) => api.once('listening', r));
  apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const created = await runCli(['token', 'create', '--name', 'hostile-analyst', '--role', 'analyst', '--json'], { CLUES_DB_NAME: ctx.dbName });
  token = (JSON.parse(created.stdout) as { token: string }).token;
});

afterAll(async () => {
  http?.close();
  api?.close();
  await ctx?.close();
  // The corpora hold some 10 MB each: not left behind in the temporary folder.
  for (const d of [...made, outside]) if (d) rmSync(d, { recursive: true, force: true });
});

const apiGet = (path: string) => fetch(apiBase + path, { headers: { authorization: `Bearer ${token}` } });

type Observed = { outcome: Expected['outcome']; reason: string };

/** Every file's outcome as a command reported it; a path reported twice fails the test. */
function byPath(entries: [string, Observed][]): Map<string, Observed> {
  const seen = new Map<string, Observed>();
  for (const [path, o] of entries) {
    expect(seen.has(path), `${JSON.stringify(path)} reported twice`).toBe(false);
    seen.set(path, o);
  }
  return seen;
}

/** Each corpus file got exactly its expected outcome and reason, and nothing else was reported. */
function expectOutcomes(c: Corpus, observed: Map<string, Observed>, expected: (e: Expected) => Expected = (e) => e) {
  // Every mismatch at once: one report shows all that broke.
  const wrong: string[] = [];
  for (const f of c.files) {
    const e = expected(f.expect);
    const o = observed.get(join(c.dir, f.name));
    const right =
      o?.outcome === e.outcome &&
      (e.outcome === 'skipped' ? o.reason === e.reason
        : e.outcome === 'failed' ? e.reason.test(o.reason)
        : e.outcome === 'duplicate' ? o.reason === `same content as ${join(c.dir, e.of)}`
        : true);
    if (!right) wrong.push(`${f.kind} (${JSON.stringify(f.name)}): expected ${e.outcome} ${'reason' in e ? String(e.reason) : ''}, got ${o ? `${o.outcome} ${JSON.stringify(o.reason)}` : 'nothing'}`);
  }
  expect(wrong).toEqual([]);
  expect([...observed.keys()].sort()).toEqual(c.files.map((f) => join(c.dir, f.name)).sort());
}

const count = (c: Corpus, outcome: Expected['outcome'], expected: (e: Expected) => Expected = (e) => e) => c.files.filter((f) => expected(f.expect).outcome === outcome).length;

/** Runs `fn` with a worker in this process, and checks that neither it nor its engine process died. */
async function withLiveWorker<T>(fn: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const pid = process.pid;
  const restarts = ctx.engine.restarts;
  const enginePid = ctx.engine.pid;
  const out = await ctx.withWorker((taskQueue) => fn({ CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName }));
  expect(process.pid).toBe(pid);
  // No file in the corpus crashes or hangs an engine: the engine process is the same one.
  expect(ctx.engine.restarts).toBe(restarts);
  expect(ctx.engine.pid).toBe(enginePid);
  return out;
}

describe('a hostile-file corpus', () => {
  it('when it is ingested with --wait, then every file is counted once with its reason, the worker lives on, and nothing outside the folder is read', async () => {
    const c = await newCorpus('hostile-ingest');
    expect(new Set(c.files.map((f) => f.kind.replace(/ \d+$/, ''))).size).toBeGreaterThanOrEqual(40);
    const summary = await withLiveWorker(async (env) => {
      const res = await runCli(['ingest', c.dir, '--wait', '--json'], env);
      expect(res.code, res.stderr).toBe(3); // some failed
      return JSON.parse(res.stdout) as IngestSummary;
    });
    done.push(c);

    const observed = byPath([
      ...summary.results.map((r): [string, Observed] => [r.path, { outcome: 'processed', reason: '' }]),
      ...summary.failures.map((f): [string, Observed] => [f.path, { outcome: 'failed', reason: f.reason }]),
      ...summary.duplicateOf.map((d): [string, Observed] => [d.path, { outcome: 'duplicate', reason: d.reason }]),
      ...summary.skipped.map((s): [string, Observed] => [s.path, { outcome: 'skipped', reason: s.reason }]),
    ]);
    expectOutcomes(c, observed);
    expect(summary).toMatchObject({ processed: count(c, 'processed'), failed: count(c, 'failed'), duplicates: count(c, 'duplicate'), total: c.files.length - count(c, 'skipped') });
    expect(summary.total).toBe(summary.processed + summary.failed + summary.duplicates);
    expect(summary.total + summary.skipped.length).toBe(c.files.length);
    // Every stage of every processed image ran: none failed or went missing on a hostile image.
    for (const r of summary.results) expect(r.result.stages, JSON.stringify(r.path)).toEqual(Object.fromEntries(STAGES.map((s) => [s, 'ok'])));

    await expectStoredRecords(c);
    await expectNothingOutsideRead(c);
  });

  it('when a corpus is run (clues run), then every file is counted once with its reason, and again the same way when it is run a second time', async () => {
    const c = await newCorpus('hostile-run');
    const [first, again] = await withLiveWorker(async (env) => {
      const run = async () => {
        const res = await runCli(['run', c.dir, '--json', '--concurrency', '4'], env);
        expect(res.code, res.stderr).toBe(3); // some failed
        return JSON.parse(res.stdout) as BatchProgress;
      };
      return [await run(), await run()];
    });
    done.push(c);

    const observe = (r: BatchProgress) =>
      byPath([
        ...r.failures.map((f): [string, Observed] => [f.path, { outcome: 'failed', reason: f.reason }]),
        // A run counts a duplicate among its skips, with ingest's reason.
        ...r.skips.map((s): [string, Observed] => [s.path, { outcome: s.reason.startsWith('same content as ') ? 'duplicate' : 'skipped', reason: s.reason }]),
      ]);
    // A run reports no path for what it processed: those are the files that are neither failed nor skipped.
    const processedPaths = c.files.map((f) => join(c.dir, f.name)).filter((p) => !observe(first).has(p));
    expectOutcomes(c, new Map([...observe(first), ...processedPaths.map((p): [string, Observed] => [p, { outcome: 'processed', reason: '' }])]));
    const n = c.files.length;
    expect(first).toMatchObject({ found: n, total: n, done: count(c, 'processed'), failed: count(c, 'failed'), skipped: count(c, 'skipped') + count(c, 'duplicate'), inFlight: 0 });
    expect(first.found).toBe(first.done + first.skipped + first.failed);
    await expectStoredRecords(c);

    // The second time, what was processed is skipped, and what failed fails again for the same reason.
    expectOutcomes(c, observe(again), secondTime);
    expect(again).toMatchObject({ found: n, total: n, done: 0, failed: count(c, 'failed'), skipped: n - count(c, 'failed'), inFlight: 0 });
    await expectStoredRecords(c);
    await expectNothingOutsideRead(c);
  });
});

describe('decode reasons when libvips decodes several images at once', () => {
  // Found by the corpus: libvips has one error buffer for the process, so a truncated PNG was
  // recorded as "VipsJpeg: premature end of JPEG image", and a file's reason could quote another file's path.
  it("when sharp's message names another format's decoder or another file, then the reason says what it means instead", async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).png().toBuffer();
    const folder = tempDir('reasons');
    made.push(folder);
    const avif = join(folder, 'photo.avif');
    writeFileSync(avif, await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).avif().toBuffer());
    expect(await decodeReason('vipspng: libpng read error', png)).toBe('vipspng: libpng read error');
    expect(await decodeReason('VipsJpeg: premature end of JPEG image', png)).toBe('damaged or truncated PNG data');
    expect(await decodeReason('Warning treated as error due to failOn setting\nVipsJpeg: premature end of JPEG image', png)).toBe('damaged or truncated PNG data');
    expect(await decodeReason(`${avif}: bad seek to 1890`, avif)).toBe(`${avif}: bad seek to 1890`);
    expect(await decodeReason('/evidence/case-2/other.avif: bad seek to 1890', avif)).toBe('damaged or truncated HEIF/AVIF data');
    expect(await decodeReason('Input file contains unsupported image format', Buffer.from('text'))).toBe('Input file contains unsupported image format');
    expect(await decodeReason('', Buffer.from('text'))).toBe('damaged or truncated data');
  });
});

describe('the same bytes under two names in one ingest or run', () => {
  // The second name is counted as a duplicate and recorded at once, before the first name's
  // workflow has saved the image: the record is created for it (status pending) and keeps it.
  it('when a folder holds one image under two names, then its record keeps both paths after one ingest', async () => {
    const folder = tempDir('hostile-twins');
    made.push(folder);
    const bytes = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 1, g: 2, b: Math.floor(Math.random() * 255) } } }).png().toBuffer();
    const [a, b] = [join(folder, 'a.png'), join(folder, 'b.png')];
    writeFileSync(a, bytes);
    writeFileSync(b, bytes);
    const sha = await fileSha256(a);
    await withLiveWorker((env) => runCli(['ingest', folder, '--wait', '--json'], env));
    expect((await ctx.store.images.get(sha))?.paths.sort()).toEqual([a, b]);
  });
});

/** What the store holds for each file: its paths (inside the folder), size, orientation, EXIF, failure reason. */
async function expectStoredRecords(c: Corpus) {
  for (const f of c.files) {
    const e = f.expect;
    const sha = c.sha.get(f.name);
    const what = `${f.kind} (${JSON.stringify(f.name)})`;
    if (e.outcome === 'processed') {
      const img = await ctx.store.images.get(sha!);
      const dupes = c.files.filter((d) => d.expect.outcome === 'duplicate' && d.expect.of === f.name).map((d) => join(c.dir, d.name));
      expect(img, what).toMatchObject({ status: 'processed', paths: expect.arrayContaining([join(c.dir, f.name)]) });
      expect([...img!.paths].sort(), what).toEqual([join(c.dir, f.name), ...dupes].sort());
      if (e.size) expect([img!.info!.width, img!.info!.height], what).toEqual(e.size);
      if (e.frames) {
        // Frame 1 is the file's own image; each other frame is an image of its own, linked back.
        expect(img!.frames, what).toMatchObject({ count: e.frames, processed: Array.from({ length: e.frames }, (_, i) => i + 1) });
        expect(img!.frames!.images, what).toHaveLength(e.frames - 1);
        for (const fr of img!.frames!.images!) {
          const frame = await ctx.store.images.get(fr.sha256);
          expect(frame, `${what} frame ${fr.index}`).toMatchObject({ status: 'processed', frameOf: { sha256: sha, index: fr.index, count: e.frames } });
          expect(img!.paths, `${what} frame ${fr.index}`).toContain(frame!.frameOf!.path);
          expect(Object.values(frame!.stages ?? {}).every((st) => st.status === 'ok'), `${what} frame ${fr.index} stages`).toBe(true);
        }
      }
      if (e.orientation) expect(img!.info!.orientation, what).toBe(e.orientation);
      if (e.exifCut) {
        expect(img!.exif, what).toMatchObject({ truncated: [e.exifCut] });
        expect(JSON.stringify(img!.exif).length, what).toBeLessThan(5000);
      }
    } else if (e.outcome === 'failed' && e.recorded) {
      expect(await ctx.store.images.get(sha!), what).toMatchObject({ status: 'failed', failure: { reason: expect.stringMatching(e.reason) } });
    } else if (e.outcome === 'failed' && sha) {
      expect(await ctx.store.images.get(sha), what).toBeNull();
    }
  }
  // No other record: the store's counts are those of the corpora processed so far (the empty
  // file is the one SHA-256 they share).
  const shas = (keep: (e: Expected) => boolean) => new Set(done.flatMap((d) => d.files.filter((f) => keep(f.expect)).map((f) => d.sha.get(f.name)!)));
  const stats = (await (await apiGet('/api/stats')).json()) as { processed: number; failed: number };
  // A multi-page file's frames beyond the first are images of their own.
  const frameImages = done.flatMap((d) => d.files).reduce((n, f) => n + (f.expect.outcome === 'processed' && f.expect.frames ? f.expect.frames - 1 : 0), 0);
  expect(stats).toMatchObject({ processed: shas((e) => e.outcome === 'processed').size + frameImages, failed: shas((e) => e.outcome === 'failed' && e.recorded).size });
}

/** Nothing outside the folder reached the store or was fetched: not /etc/passwd, not the outside image, not package.json. */
async function expectNothingOutsideRead(c: Corpus) {
  for (const path of ['/etc/passwd', join(outside, 'outside.png'), join(process.cwd(), 'package.json')]) {
    expect(await ctx.store.images.get(await fileSha256(path)), path).toBeNull();
  }
  expect(httpRequests).toEqual([]);
  // The SVG that points at /etc/passwd, a loopback URL, a file outside and a symlink out shows
  // none of them: the outside image is pure blue, and no blue reached the rendered picture.
  const res = await apiGet(`/api/images/${c.sha.get('hrefs.svg')}/file`);
  expect(res.status).toBe(200);
  const { data, info } = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
  let blue = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i + 2]! > 180 && data[i]! < 80 && data[i + 1]! < 80) blue++;
  expect(blue).toBe(0);
  // Nor did /etc/passwd become text of the SVG that includes it.
  for (const name of ['hrefs.svg', 'xinclude.svg']) {
    const text = (await ctx.store.images.cluesOf(c.sha.get(name)!)).filter((clue) => clue.type === 'text').map((clue) => clue.value).join(' ');
    expect(text, name).not.toMatch(/root|nologin|bin\/(ba)?sh/i);
  }
}

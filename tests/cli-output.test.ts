import { randomUUID } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clueId } from '../store/images';
import type { ClueDoc, ImageDoc } from '../store';
import { runCli, runCliSlowReader } from './support/cli';
import { tempDir } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';
import { sha } from './support/store';

// What scripts read from the CLI arrives whole. Each --json command and each export writes more
// than 1 MiB into a pipe whose reader waits, then reads slowly: the process must not exit before
// its output is out (a pipe holds 64 KiB). Mistakes answer with one line and exit code 2.

const MIB = 1 << 20;
const CASE = `case-output-${Date.now().toString(36)}`;
const WORD = 'zebracrossing';
const LONG = 'x'.repeat(180);
let ctx: TestContext;
let env: Record<string, string>;
let whereSha = '';

function imageDoc(n: number, extra: Partial<ImageDoc> = {}): ImageDoc {
  const now = new Date();
  const id = sha(0x7e57_0000 + n);
  return {
    _id: id, sha256: id, md5: id.slice(0, 32), sha1: id.slice(0, 40), pdq: { hash: id, quality: 100 },
    paths: [0, 1, 2].map((k) => `/evidence/${LONG}/${n}-${k}.jpg`), cases: [CASE], status: 'processed',
    info: { width: 10, height: 10, format: 'jpeg', bytes: 100 }, createdAt: now, updatedAt: now, ...extra,
  };
}

beforeAll(async () => {
  ctx = await openTestContext('cliout');
  env = { CLUES_DB_NAME: ctx.dbName };
  const store = ctx.store;
  const insert = (name: string, docs: object[]) => store.raw(name).insertMany(docs as never[]);
  // 1,500 images of one case (VICS: ~1 KB each), each with a long line of text holding WORD.
  const images = Array.from({ length: 1500 }, (_, n) => imageDoc(n));
  const clues: ClueDoc[] = images.map((img) => {
    const value = `${WORD} ${'lorem ipsum dolor sit amet '.repeat(110)}`;
    const c = { type: 'text' as const, value, tokens: [WORD, 'lorem', 'ipsum', 'dolor', 'sit', 'amet'], score: 0.9 };
    return { ...c, _id: clueId(img._id, 'text', c), sha256: img._id, stage: 'text', createdAt: new Date() };
  });
  // One image whose stored where-and-when is larger than a pipe's buffer many times over.
  const why = (i: number) => ({ why: `evidence ${i}: ${'a sign in the language of the place '.repeat(8)}`, weight: 1 });
  const where = { noEvidence: false, countries: Array.from({ length: 400 }, (_, i) => ({ country: 'PL', name: 'Poland', probability: 0.5, for: Array.from({ length: 10 }, (_, k) => why(i * 10 + k)), against: [] })), regions: [] };
  const big = imageDoc(99_999, { where: where as unknown as ImageDoc['where'], cases: [] });
  whereSha = big._id;
  await store.images.bulkInsert([...images, big], clues);
  // Trace-an-Object: 300 published objects of the case, each with tips carrying long notes.
  const at = new Date();
  await insert('public_crops',
    images.slice(0, 300).map((img, i) => ({ _id: `TAO-${i}`, clueId: 'c', sha256: img._id, label: 'cup', cropBox: { x: 0, y: 0, w: 5, h: 5 }, file: 'f.jpg', question: 'where?', status: 'open', publishedBy: 'r', publishedAt: at, accepted: [], history: [] })),
  );
  await insert('crowd_tags',
    Array.from({ length: 900 }, (_, i) => ({ _id: `tip-${i}`, cropId: `TAO-${i % 300}`, what: `mug ${i}`, key: `mug ${i}`, by: `tagger-${i % 7}`, at, votes: 0, note: 'n'.repeat(1500) })),
  );
  // Tokens, hash sets and known places by the thousand.
  await insert('tokens', Array.from({ length: 6000 }, (_, i) => ({ _id: sha(0x70_0000 + i), name: `token-${i}-${LONG}`, role: 'analyst', createdAt: at })));
  await insert('hash_sets', Array.from({ length: 5000 }, (_, i) => ({ _id: `set-${i}`, name: `set-${i}-${LONG}`, format: 'vics', importedAt: at, count: i, rejected: 0 })));
  await insert('places', Array.from({ length: 5000 }, (_, i) => ({ _id: sha(0x71_0000 + i), name: `place ${i}`, path: `/places/${LONG}/${i}.jpg`, embedding: [], featuresPath: 'k', createdAt: at })));
}, 600_000);
afterAll(async () => ctx?.close());

/** Runs through a slow pipe; the output must be over 1 MiB, whole, and valid JSON (or `check`). */
async function whole(args: string[], extraEnv: Record<string, string> = {}, code = 0): Promise<unknown> {
  const r = await runCliSlowReader(args, { ...env, ...extraEnv });
  expect(r.code, r.stderr).toBe(code);
  expect(Buffer.byteLength(r.stdout)).toBeGreaterThan(MIB);
  return JSON.parse(r.stdout);
}

describe('machine-readable output through a slow pipe', () => {
  it('when search, where and the lists print more than 1 MiB of JSON, then all of it arrives', async () => {
    expect(await whole(['search', '--text', WORD, '--limit', '500', '--json'])).toHaveLength(500);
    expect(await whole(['where', whereSha, '--json'])).toMatchObject({ countries: expect.any(Array) });
    expect(await whole(['token', 'list', '--json'])).toHaveLength(6000);
    expect(await whole(['hashes', 'list', '--json'])).toHaveLength(5000);
    expect(await whole(['place', 'list', '--json'])).toHaveLength(5000);
  }, 300_000);

  it('when a case is exported as VICS or for Trace an Object to stdout, then the whole export arrives', async () => {
    const vics = (await whole(['export', 'vics', '--case', CASE])) as { value: { Media: unknown[] }[] | { Media: unknown[] } };
    expect(JSON.stringify(vics)).toContain(sha(0x7e57_0000 + 1499).toUpperCase());
    const tao = (await whole(['export', 'tao', '--case', CASE])) as { objects: { tips: unknown[] }[] };
    expect(tao.objects).toHaveLength(300);
    expect(tao.objects.reduce((n, o) => n + o.tips.length, 0)).toBe(900);
  }, 300_000);

  it('when ingest and an attached run report thousands of files, then the whole report arrives', async () => {
    const dir = tempDir('cliout-many');
    const files = 3000;
    for (let i = 0; i < files; i++) writeFileSync(join(dir, `${String(i).padStart(5, '0')}-${LONG}.png`), 'not an image');
    await ctx.withWorker(async (taskQueue) => {
      const ingest = (await whole(['ingest', dir, '--json'], { CLUES_TASK_QUEUE: taskQueue })) as { total: number; duplicates: number; duplicateOf: unknown[] };
      expect(ingest).toMatchObject({ total: files, duplicates: files - 1 });
      expect(ingest.duplicateOf).toHaveLength(files - 1);
      // The file fails to decode once per listing page (a failed image is tried again); the
      // other copies are skipped as duplicates. Every one is in the report.
      const run = (await whole(['run', dir, '--json'], { CLUES_TASK_QUEUE: taskQueue }, 3)) as { found: number; skipped: number; failed: number; skips: unknown[]; failures: unknown[] };
      expect(run).toMatchObject({ found: files, done: 0 });
      expect(run.failed + run.skipped).toBe(files);
      expect(run.skips).toHaveLength(run.skipped);
      expect(run.failures).toHaveLength(run.failed);
    });
  }, 600_000);

  it('when the output is small or a list of runs, then it arrives whole through the same slow pipe', async () => {
    await ctx.withWorker(async (taskQueue) => {
      for (const args of [['runs', '--json'], ['schedule', 'list', '--json'], ['token', 'create', '--name', `pipe-${randomUUID()}`, '--role', 'tagger', '--json']]) {
        const r = await runCliSlowReader(args, { ...env, CLUES_TASK_QUEUE: taskQueue });
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        expect(() => JSON.parse(r.stdout), args.join(' ')).not.toThrow();
      }
    });
  }, 300_000);
});

describe('mistakes', () => {
  const oneLine = (stderr: string) => expect(stderr.trim().split('\n'), stderr).toHaveLength(1);

  it('when a flag is out of range, an image is unknown or the folder is a symlink loop, then one line and exit 2, and JSON with --json', async () => {
    const loop = join(tempDir('cliout-loop'), 'loop');
    symlinkSync(loop, loop);
    const notThere = join(tempDir('cliout-missing'), 'gone');
    mkdirSync(join(notThere, '..'), { recursive: true });
    const cases: [string[], RegExp][] = [
      [['search', '--text', 'x', '--limit', '501'], /--limit takes a whole number from 1 to 500/],
      [['where', sha(0xdead), '--json'], /no image 0+dead in the store/],
      [['run', loop], /cannot read .*loop: too many levels of symbolic links/],
      [['run', notThere], /cannot read .*gone: no such file or folder/],
      [['frobnicate'], /unknown command: frobnicate/],
      [['search', '--object', 'x', '--fuzzy', '--prefix'], /--fuzzy and --prefix exclude each other/],
    ];
    for (const [args, message] of cases) {
      for (const json of [false, true]) {
        const r = await runCli(json ? [...args, '--json'] : args, env);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        oneLine(r.stderr);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
        if (json) expect(JSON.parse(r.stdout)).toEqual({ error: expect.stringMatching(message), exitCode: 2 });
      }
    }
  });
});

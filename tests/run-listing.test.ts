import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchInput, BatchProgress } from '../core/batch';
import { fileSha256 } from '../models/file-hashes';
import { openBlobStore } from '../blobs/open';
import { runCli } from './support/cli';
import { tempDir } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

// `clues run` over file names chosen to break a listing, and manifests that point out of their
// folder. Every count and reason is asserted, and nothing outside the run's folder is read.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await openTestContext('listing');
});
afterAll(async () => ctx?.close());

/** A small PNG of one random colour under exactly `name` (any bytes but `/`): a new SHA-256 each time. */
async function image(dir: string, name: string): Promise<{ path: string; sha256: string }> {
  const [r, g, b] = randomBytes(3);
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: r!, g: g!, b: b! } } }).png().toBuffer();
  const path = join(dir, name);
  writeFileSync(path, png);
  return { path, sha256: await fileSha256(path) };
}

const mkfifo = (path: string) => execFileSync('mkfifo', [path]);
const byPath = (list: { path: string; reason: string }[]) => Object.fromEntries(list.map((x) => [x.path, x.reason]));

describe('run listings that file names cannot steer', () => {
  it('when files are named with newlines, tabs, leading dashes, unicode and forged listing lines, then each is processed under its own name and nothing else is read', async () => {
    const dir = tempDir('names');
    const outside = await image(tempDir('outside'), 'outside.png');
    const names = [
      'new\nline.png',
      'tab\there.png',
      '-rf.png',
      '--help.png',
      'ünïcødé 写真 ✓.png',
      '..not-a-parent.png',
      ' leading and trailing space .png',
      'x\nF\tpackage.json', // the old listing read package.json from the worker's folder for this one
      'x\nS\tfake\tinjected reason', // and forged a skip line for this one
      'F\t..',
      '\n',
    ];
    const images = await Promise.all(names.map((n) => image(dir, n)));
    mkdirSync(join(dir, 'sub\nfolder'));
    images.push(await image(join(dir, 'sub\nfolder'), 'inner\r\n.png'));
    symlinkSync(outside.path, join(dir, 'link-out.png'));
    symlinkSync(resolve(outside.path, '..'), join(dir, 'linked-folder'));
    mkfifo(join(dir, 'pipe.png'));
    const packageJson = await fileSha256(join(process.cwd(), 'package.json'));

    await ctx.withWorker(async (taskQueue) => {
      const env = { CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName };
      const run = await runCli(['run', dir, '--json', '--concurrency', '4'], env);
      expect(run.stderr).toMatch(/started run-/);
      expect(run.code).toBe(0);
      const r = JSON.parse(run.stdout) as BatchProgress & { runId: string };
      expect(images).toHaveLength(12);
      expect(r).toMatchObject({ found: 15, total: 15, done: 12, skipped: 3, failed: 0, inFlight: 0 });
      expect(r.found).toBe(r.done + r.skipped + r.failed);
      expect(r.failures).toEqual([]);
      expect(byPath(r.skips)).toEqual({
        [join(dir, 'link-out.png')]: 'symlink not followed',
        [join(dir, 'linked-folder')]: 'symlink not followed',
        [join(dir, 'pipe.png')]: 'not a regular file',
      });
      for (const img of images) expect((await ctx.store.images.get(img.sha256))?.paths, JSON.stringify(img.path)).toEqual([img.path]);
      // Nothing outside the folder was read into the store.
      for (const sha of [packageJson, outside.sha256, await fileSha256('/etc/passwd')]) expect(await ctx.store.images.get(sha)).toBeNull();
      const stored = await ctx.store.images.images.find({}, { projection: { paths: 1 } }).toArray();
      expect(stored).toHaveLength(images.length);
      for (const img of stored) for (const p of img.paths) expect(p.startsWith(`${dir}/`), p).toBe(true);

      // The stored listing is JSON lines, one entry per file whatever its name.
      const blobs = openBlobStore(ctx.cfg.storage);
      const lines = (await blobs.get(`runs/${r.runId.replace(/[^\w-]/g, '_')}/files-000000.jsonl`)).toString('utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(15);
      expect(lines.map((l) => JSON.parse(l).p).sort()).toEqual([...images.map((i) => i.path), ...Object.keys(byPath(r.skips))].sort());

      // The same folder again: every image is skipped as processed, the counts still add up.
      const again = JSON.parse((await runCli(['run', dir, '--json'], env)).stdout) as BatchProgress;
      expect(again).toMatchObject({ found: 15, done: 0, skipped: 15, failed: 0 });
      expect(again.skips.filter((s) => s.reason === 'already processed')).toHaveLength(12);
    });
  });

  it('when a manifest names files outside its folder, by .., absolute path, symlink or blob key, then each is refused with its reason and never read', async () => {
    const top = tempDir('manifest');
    const dir = join(top, 'seizure');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const outside = await image(top, 'outside.png');
    const a = await image(dir, 'a.png');
    const deep = await image(join(dir, 'sub'), 'deep.png');
    symlinkSync(outside.path, join(dir, 'link-out.png'));
    symlinkSync(join(top), join(dir, 'sub', 'up'));
    symlinkSync(a.path, join(dir, 'link-in.png'));
    mkfifo(join(dir, 'pipe.png'));
    const manifest = join(dir, 'list.txt');
    writeFileSync(
      manifest,
      [
        '# a comment',
        'a.png',
        'sub/deep.png',
        '',
        '../outside.png',
        outside.path,
        'link-out.png',
        'sub/up/outside.png',
        '/etc/passwd',
        'sub/../../outside.png',
        'pipe.png',
        'missing.png',
        'blob:../../etc/passwd',
        'link-in.png',
        join(dir, 'sub', 'deep.png'),
      ].join('\n'),
    );
    await ctx.withWorker(async (taskQueue) => {
      const env = { CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName };
      const run = await runCli(['run', manifest, '--json'], env);
      expect(run.code).toBe(3);
      const r = JSON.parse(run.stdout) as BatchProgress;
      expect(r).toMatchObject({ found: 13, total: 13, done: 2, skipped: 2, failed: 9, inFlight: 0 });
      const refused = `refused: outside the run's folder ${dir}, not read`;
      expect(byPath(r.failures)).toEqual({
        [outside.path]: refused, // named twice: as ../outside.png and by its absolute path
        [join(dir, 'link-out.png')]: refused,
        [join(dir, 'sub', 'up', 'outside.png')]: refused,
        '/etc/passwd': refused,
        [join(dir, 'pipe.png')]: 'not a regular file',
        [join(dir, 'missing.png')]: expect.stringMatching(/^cannot read file: ENOENT/),
        'blob:../../etc/passwd': expect.stringMatching(/invalid storage key/),
      });
      expect(r.failures).toHaveLength(9);
      expect(byPath(r.skips)).toEqual({
        [join(dir, 'link-in.png')]: `same content as ${a.path}`,
        [deep.path]: `same content as ${deep.path}`,
      });
      expect((await ctx.store.images.get(a.sha256))?.paths).toEqual([a.path]);
      expect((await ctx.store.images.get(deep.sha256))?.paths).toEqual([deep.path]);
      expect(await ctx.store.images.get(outside.sha256)).toBeNull();
    });
  });

  it('when a run in flight was listed by an earlier version (tab-separated), then its listing is refused clearly, not read', async () => {
    const dir = tempDir('old-listing');
    await image(dir, 'a.png');
    const runId = `test-old-listing-${Date.now()}`;
    const blobs = openBlobStore(ctx.cfg.storage);
    await blobs.put(`runs/${runId}/files-000000.tsv`, Buffer.from(`F\t${join(dir, 'a.png')}\nF\tpackage.json\n`));
    await blobs.put(`runs/${runId}/listing.json`, Buffer.from(JSON.stringify({ total: 2, at: new Date().toISOString() })));
    await ctx.withWorker(async (taskQueue) => {
      const input: BatchInput = { runId, source: { kind: 'folder', path: dir }, concurrency: 1, pageSize: 10 };
      const handle = await ctx.client.workflow.start('processBatch', { workflowId: runId, taskQueue, args: [input] });
      const failure = await handle.result().then(() => null, (err: Error) => err);
      expect(failure).not.toBeNull();
      const messages: string[] = [];
      for (let e: unknown = failure; e instanceof Error; e = e.cause) messages.push(e.message);
      expect(messages.join(' / ')).toMatch(/listing was written by an earlier version in a format that file names can forge; it is not read\. Start the run again/);
    });
    expect(await ctx.store.images.get(await fileSha256(join(process.cwd(), 'package.json')))).toBeNull();
  });
});

describe('listing pages', () => {
  it('when a listing is read in pages of one across continue-as-new, then every entry is counted once', async () => {
    const dir = tempDir('pages');
    for (const n of ['a\nb.png', 'c\td.png', 'e.png']) await image(dir, n);
    writeFileSync(join(dir, 'f\n.txt'), 'not an image');
    await ctx.withWorker(async (taskQueue) => {
      const input: BatchInput = { runId: `test-pages-${Date.now()}`, source: { kind: 'folder', path: dir }, concurrency: 2, pageSize: 1, pagesPerRun: 2 };
      const handle = await ctx.client.workflow.start('processBatch', { workflowId: input.runId, taskQueue, args: [input] });
      const r = (await handle.result()) as BatchProgress;
      expect(r).toMatchObject({ found: 4, total: 4, done: 3, skipped: 0, failed: 1 });
      expect(r.failures[0]!.path).toBe(join(dir, 'f\n.txt'));
    });
  });
});

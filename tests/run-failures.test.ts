import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { fileSha256 } from '../models/file-hashes';
import { runCli } from './support/cli';
import { tempDir } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

// What a run forgets: nothing. Every failed, partial and skipped file is in the store with its
// reason, read page by page through the API and the CLI, well beyond the hundred the run's own
// state keeps; an unreadable folder is a failure; an image whose stage failed is partial.

let ctx: TestContext;
let server: Server;
let base = '';
let token = '';
const deepDirs: string[] = [];
beforeAll(async () => {
  ctx = await openTestContext('runfail');
  token = await ctx.store.tokens.create('runfail-analyst', 'analyst');
  server = createApp(ctx.store, { temporal: { client: ctx.client, taskQueue: 'unused' } }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  // GNU rm walks a tree deeper than PATH_MAX (by file descriptors); Node's rmSync does not.
  for (const d of deepDirs) execFileSync('rm', ['-rf', d]);
  await ctx?.close();
});

async function image(dir: string, name: string): Promise<{ path: string; sha256: string }> {
  const [r, g, b] = randomBytes(3);
  const path = join(dir, name);
  writeFileSync(path, await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: r!, g: g!, b: b! } } }).png().toBuffer());
  return { path, sha256: await fileSha256(path) };
}

/**
 * A folder below `parent` that no one can list, root included: its absolute path is longer than
 * PATH_MAX (4096), so readdir fails with ENAMETOOLONG while its parent lists it. Returns its parent.
 */
function unlistableFolder(parent: string): string {
  const name = 'd'.repeat(250);
  // bash steps down by relative names, which have no length limit as a whole.
  execFileSync('bash', ['-c', `cd "$1" && for i in $(seq 17); do mkdir "$2" && cd "$2"; done && echo unseen > unseen.png`, '_', parent, name]);
  return parent;
}

const api = async (path: string) => {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as { items: { kind: string; path: string; reason: string; n: number }[]; next?: number } };
};

describe('every failure of a run, kept', () => {
  it('when a run has 150 unreadable files, an unreadable folder and an image whose OCR failed, then all are counted and every one is listed with its reason, paged', async () => {
    const dir = tempDir('runfail');
    const ok = await image(dir, 'ok.png');
    const ocrFails = await image(dir, 'ocr-fails.png');
    const missing = Array.from({ length: 150 }, (_, i) => `missing-${String(i).padStart(3, '0')}.png`);
    const manifest = join(dir, 'list.txt');
    writeFileSync(manifest, ['ok.png', 'ocr-fails.png', ...missing, 'ok.png'].join('\n'));

    const failText = (a: Parameters<NonNullable<Parameters<TestContext['withWorker']>[1]>>[0]) => ({
      ...a,
      readText: async (input: Parameters<typeof a.readText>[0]) => {
        if ((input as { sha256?: string }).sha256 === ocrFails.sha256) throw ApplicationFailure.nonRetryable('the OCR engine is out of order (test)');
        return a.readText(input);
      },
    });
    await ctx.withWorker(async (taskQueue) => {
      const env = { CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName };
      const run = await runCli(['run', manifest, '--json'], env);
      expect(run.code, run.stderr).toBe(3);
      const r = JSON.parse(run.stdout) as { runId: string; found: number; done: number; partial: number; skipped: number; failed: number; failures: { path: string; reason: string }[]; partials: { path: string; reason: string }[]; skips: { path: string; reason: string }[] };
      expect(r).toMatchObject({ found: 153, done: 1, partial: 1, skipped: 1, failed: 150 });
      // All 150 in the CLI's report (the run's own state keeps the newest 100).
      expect(r.failures.map((f) => f.path)).toEqual(missing.map((m) => join(dir, m)));
      for (const f of r.failures) expect(f.reason).toMatch(/^cannot read file: ENOENT/);
      expect(r.partials).toEqual([{ path: ocrFails.path, reason: expect.stringMatching(/^stages failed: text \(.*OCR engine is out of order/) }]);
      // Listed again a page later: already processed, or still in flight then.
      expect(r.skips).toEqual([{ path: ok.path, reason: expect.stringMatching(/^(already processed|same image already in progress)$/) }]);
      expect((await ctx.store.images.get(ocrFails.sha256))?.stages?.text).toMatchObject({ status: 'failed' });

      // The API, 64 at a time in listing order: every failure once, and the last page says so.
      const seen: string[] = [];
      let after: number | undefined;
      for (let pages = 0; ; pages++) {
        expect(pages).toBeLessThan(5);
        const page = await api(`/api/runs/${r.runId}/failures?kind=failed&limit=64${after !== undefined ? `&after=${after}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((i) => i.path));
        if (page.body.next === undefined) break;
        after = page.body.next;
      }
      expect(seen).toEqual(missing.map((m) => join(dir, m)));
      expect((await api(`/api/runs/${r.runId}/failures?kind=partial`)).body.items).toMatchObject([{ kind: 'partial', path: ocrFails.path, n: 1 }]);
      expect((await api(`/api/runs/${r.runId}/failures?kind=bogus`)).status).toBe(400);
      expect((await ctx.store.audit.recent(1))[0]).toMatchObject({ action: 'view-run-failures', target: r.runId });

      const listed = await runCli(['run', 'failures', r.runId, '--json'], env);
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout)).toMatchObject({ runId: r.runId, failed: expect.any(Array), partial: [{ path: ocrFails.path }], skipped: [{ path: ok.path }] });
      expect(JSON.parse(listed.stdout).failed).toHaveLength(150);
    }, failText);
  }, 300_000);

  it('when a subfolder cannot be read, then it is a failure with its reason, in the run and in an ingest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clues-unlistable-'));
    deepDirs.push(dir);
    await image(dir, 'seen.png');
    unlistableFolder(dir);
    await ctx.withWorker(async (taskQueue) => {
      const env = { CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName };
      const run = await runCli(['run', dir, '--json'], env);
      expect(run.code, run.stderr).toBe(3);
      const r = JSON.parse(run.stdout) as { found: number; done: number; failed: number; failures: { path: string; reason: string }[] };
      expect(r).toMatchObject({ found: 2, done: 1, failed: 1 });
      expect(r.failures).toEqual([{ path: expect.stringMatching(/d{250}$/), reason: expect.stringMatching(/^cannot read folder \(its files are not listed\): ENAMETOOLONG/) }]);

      const ingest = await runCli(['ingest', dir, '--json'], env);
      const s = JSON.parse(ingest.stdout) as { total: number; failed: number; failures: { path: string; reason: string }[] };
      expect(s).toMatchObject({ total: 2, failed: 1 });
      expect(s.failures[0]!.reason).toMatch(/^cannot read folder/);
      expect(ingest.code).toBe(3);
    });
  }, 300_000);
});

import { copyFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchInput, BatchProgress, BatchStatus } from '../core/batch';
import { stagesToRerun, type ModelRef } from '../core/clues';
import { fileSha256 } from '../models/file-hashes';
import type { AddressInfo } from 'node:net';
import { createApp } from '../api/app';
import { runCli } from './support/cli';
import { tempDir, uniqueCopy } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await openTestContext('batch');
});
afterAll(async () => ctx?.close());

async function seizure(): Promise<string> {
  const dir = tempDir('seizure');
  const a = await uniqueCopy('coffee.png', dir, 'a.png');
  await uniqueCopy('chelsea.png', dir, 'b.png');
  await uniqueCopy('rocket.jpg', dir, 'c.png');
  copyFileSync(a, join(dir, 'a-copy.png'));
  writeFileSync(join(dir, 'empty.jpg'), Buffer.alloc(0));
  writeFileSync(join(dir, 'noise.jpg'), randomBytes(2048));
  writeFileSync(join(dir, 'notes.txt'), 'not an image\n');
  symlinkSync('/etc/passwd', join(dir, 'outside-link.jpg'));
  return dir;
}

describe('which stages to re-run', () => {
  const m = (name: string, version = '1'): ModelRef => ({ name, version });
  const current = { hashes: m('pdq'), metadata: m('exifr'), objects: m('det'), text: m('ocr'), features: m('emb'), scene: m('rules'), places: m('orb'), faces: m('retina'), regions: m('rmac'), people: m('grouping'), where: m('where') };
  const ok = (model: ModelRef) => ({ status: 'ok' as const, model });
  const upToDate = Object.fromEntries(Object.entries(current).map(([k, v]) => [k, ok(v)]));

  it('when every stage ran with the current models, then nothing is re-run', () => {
    expect(stagesToRerun(upToDate, current)).toEqual([]);
  });

  it('when one model changed, a stage failed, a stage never ran or a model appeared, then exactly those stages (with their inputs and dependants) run', () => {
    expect(stagesToRerun({ ...upToDate, text: ok(m('ocr', '2')) }, current)).toEqual(['text', 'people', 'where']);
    expect(stagesToRerun({ ...upToDate, objects: ok(m('det', '0')) }, current)).toEqual(['objects', 'scene', 'people', 'where']);
    expect(stagesToRerun({ ...upToDate, places: { status: 'failed' } }, current)).toEqual(['features', 'places', 'people', 'where']);
    const { metadata: _gone, ...withoutMetadata } = upToDate;
    expect(stagesToRerun(withoutMetadata, current)).toEqual(['metadata', 'people', 'where']);
    expect(stagesToRerun({ ...upToDate, scene: { status: 'unavailable' } }, current)).toEqual(['objects', 'scene', 'people', 'where']);
    // A stage whose model is not installed in this worker keeps what it has.
    const noOcr = { ...current, text: undefined };
    expect(stagesToRerun({ ...upToDate, text: ok(m('ocr', '0')) }, noOcr)).toEqual([]);
  });
});

describe('batch runs (processBatch)', () => {
  it('when an analyst starts and follows a run through the API, then it completes; paths outside the import folder and taggers are refused', async () => {
    const root = tempDir('import-root');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(root, 'seizure-7'));
    await uniqueCopy('rocket.jpg', join(root, 'seizure-7'), 'r.png');
    await ctx.withWorker(async (taskQueue) => {
      const server = createApp(ctx.store, { temporal: { client: ctx.client, taskQueue }, importRoot: root }).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const analyst = await ctx.store.tokens.create('runs-analyst', 'analyst');
      const tagger = await ctx.store.tokens.create('runs-tagger', 'tagger');
      const call = async (path: string, token: string, body?: unknown) => {
        const res = await fetch(base + path, { method: body === undefined && !path.match(/\/(pause|resume|cancel)$/) ? 'GET' : 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
        return { status: res.status, body: (await res.json()) as any };
      };
      try {
        expect((await call('/api/runs', analyst, { source: '../' })).status).toBe(400);
        expect((await call('/api/runs', analyst, { source: '/etc' })).status).toBe(400);
        expect((await call('/api/runs', tagger, { source: 'seizure-7' })).status).toBe(403);
        expect((await call('/api/runs', analyst, { source: 'nothing-here' })).status).toBe(404);
        const started = await call('/api/runs', analyst, { source: 'seizure-7', case: 'op-api' });
        expect(started.status).toBe(201);
        const id = started.body.runId as string;
        await expect.poll(async () => (await call(`/api/runs/${id}`, analyst)).body.progress?.done, { timeout: 60_000, interval: 1000 }).toBe(1);
        const list = await call('/api/runs', analyst);
        expect(list.body.find((r: { runId: string }) => r.runId === id)).toMatchObject({ progress: { found: 1, done: 1, failed: 0 } });
        expect((await call(`/api/runs/${id}/pause`, tagger)).status).toBe(403);
        expect((await ctx.store.audit.recent(100)).map((a) => a.action)).toContain('start-run');
      } finally {
        server.close();
      }
    });
  });

  it('when a model version changed since an image was processed, then the next run re-runs only the stale stages and duplicates nothing', async () => {
    const dir = tempDir('rerun');
    const img = await uniqueCopy('coffee.png', dir, 'cup.png');
    const sha256 = await fileSha256(img);
    await ctx.withWorker(async (taskQueue) => {
      const env = { CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName };
      expect(JSON.parse((await runCli(['run', dir, '--json'], env)).stdout)).toMatchObject({ found: 1, done: 1 });
      const before = (await ctx.store.images.get(sha256))!;
      const clueCount = (await ctx.store.images.cluesOf(sha256)).length;
      // As if the OCR model had been upgraded and the places stage had never run.
      await ctx.store.images.images.updateOne({ _id: sha256 }, { $set: { 'stages.text.model.version': 'older' }, $unset: { 'stages.places': '' } });

      const rerun = JSON.parse((await runCli(['run', dir, '--json'], env)).stdout) as BatchProgress;
      expect(rerun).toMatchObject({ found: 1, done: 1, skipped: 0, failed: 0 });
      const after = (await ctx.store.images.get(sha256))!;
      const at = (img: typeof before, s: keyof NonNullable<typeof before.stages>) => img.stages![s]!.at.getTime();
      expect(after.stages!.text!.model).toEqual(before.stages!.text!.model);
      for (const s of ['text', 'features', 'places'] as const) expect(after.stages![s], s).toBeDefined();
      expect(at(after, 'text')).toBeGreaterThan(at(before, 'text'));
      expect(at(after, 'features')).toBeGreaterThan(at(before, 'features'));
      for (const s of ['hashes', 'metadata', 'objects', 'scene'] as const) expect(at(after, s), s).toBe(at(before, s));
      expect((await ctx.store.images.cluesOf(sha256)).length).toBe(clueCount);

      const third = JSON.parse((await runCli(['run', dir, '--json'], env)).stdout) as BatchProgress;
      expect(third).toMatchObject({ found: 1, done: 0, skipped: 1 });
      expect(third.skips[0]!.reason).toBe('already processed');
    });
  });

  it('when a folder with good, duplicate, bad and linked files is run, then every file is counted once with its reason', async () => {
    const dir = await seizure();
    await ctx.withWorker(async (taskQueue) => {
      const env = { CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName };
      const first = await runCli(['run', dir, '--json', '--concurrency', '2'], env);
      expect(first.code).toBe(3);
      const r = JSON.parse(first.stdout) as BatchProgress;
      expect(r).toMatchObject({ found: 8, done: 3, skipped: 2, failed: 3, inFlight: 0 });
      expect(r.found).toBe(r.done + r.skipped + r.failed);
      expect(r.skips.map((s) => s.reason).sort()).toEqual([expect.stringMatching(/^same content as .*a(-copy)?\.png$/), 'symlink not followed']);
      expect(r.failures.map((f) => f.path.split('/').pop()).sort()).toEqual(['empty.jpg', 'noise.jpg', 'notes.txt']);

      // The same folder again: what is processed is skipped by SHA-256, nothing runs twice.
      const again = JSON.parse((await runCli(['run', dir, '--json'], env)).stdout) as BatchProgress;
      expect(again).toMatchObject({ found: 8, done: 0, skipped: 5, failed: 3 });
    });
  });

  it('when a run is paused, then no new image starts until it is resumed, and it then completes', async () => {
    const dir = tempDir('pause');
    for (const [i, s] of ['coffee.png', 'chelsea.png', 'rocket.jpg', 'astronaut.png'].entries()) await uniqueCopy(s, dir, `${i}.png`);
    await ctx.withWorker(async (taskQueue) => {
      const input: BatchInput = { runId: `test-pause-${Date.now()}`, source: { kind: 'folder', path: dir }, concurrency: 1, pageSize: 1, pagesPerRun: 2 };
      const handle = await ctx.client.workflow.start('processBatch', { workflowId: input.runId, taskQueue, args: [input] });
      await handle.signal('pause');
      await new Promise((r) => setTimeout(r, 3000));
      const paused = await handle.query<BatchStatus>('progress');
      expect(paused.paused).toBe(true);
      expect(paused.done).toBeLessThanOrEqual(1); // at most the one already in flight
      await new Promise((r) => setTimeout(r, 2000));
      expect((await handle.query<BatchStatus>('progress')).done).toBe(paused.done + paused.inFlight);
      await handle.signal('resume');
      const result = (await ctx.client.workflow.getHandle(input.runId).result()) as BatchProgress;
      expect(result).toMatchObject({ found: 4, done: 4, skipped: 0, failed: 0, paused: false });
      // Four one-file pages at two pages a run: the run continued as new at least once.
      const runs = [];
      for await (const w of ctx.client.workflow.list({ query: `WorkflowId = '${input.runId}'` })) runs.push(w.runId);
      expect(runs.length).toBeGreaterThanOrEqual(2);
    });
  });

  it('when a run is cancelled, then images in flight finish, no new one starts, and the counts still add up', async () => {
    const dir = tempDir('cancel');
    for (const [i, s] of ['coffee.png', 'chelsea.png', 'rocket.jpg'].entries()) await uniqueCopy(s, dir, `${i}.png`);
    await ctx.withWorker(async (taskQueue) => {
      const input: BatchInput = { runId: `test-cancel-${Date.now()}`, source: { kind: 'folder', path: dir }, concurrency: 1, pageSize: 10 };
      const handle = await ctx.client.workflow.start('processBatch', { workflowId: input.runId, taskQueue, args: [input] });
      await handle.signal('cancel');
      const result = (await handle.result()) as BatchProgress;
      expect(result.cancelled).toBe(true);
      expect(result.done).toBeLessThan(3);
      expect(result.found).toBe(result.done + result.skipped + result.failed);
    });
  });
});

describe('nightly runs (Temporal schedule)', () => {
  it('when a watched folder is scheduled and triggered twice, then the second run works only on the new image', async () => {
    const dir = tempDir('watched');
    await uniqueCopy('coffee.png', dir, 'first.png');
    await ctx.withWorker(async (taskQueue) => {
      const env = { CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName };
      const added = await runCli(['schedule', 'add', dir, '--cron', '0 22 * * *'], env);
      expect(added.code).toBe(0);
      const scheduleId = added.stdout.split(':')[0]!;
      const list = JSON.parse((await runCli(['schedule', 'list', '--json'], env)).stdout) as { scheduleId: string; cron: string[]; folder: string }[];
      expect(list.find((s) => s.scheduleId === scheduleId)).toMatchObject({ cron: ['0 22 * * *'], folder: dir });
      const handle = ctx.client.schedule.getHandle(scheduleId);
      const runOnce = async (): Promise<BatchProgress> => {
        const before = (await handle.describe()).info.recentActions.length;
        await handle.trigger();
        for (let i = 0; i < 100 && (await handle.describe()).info.recentActions.length === before; i++) await new Promise((r) => setTimeout(r, 200));
        const action = (await handle.describe()).info.recentActions.at(-1)!;
        return (await ctx.client.workflow.getHandle(action.action.workflow.workflowId).result()) as BatchProgress;
      };
      try {
        expect(await runOnce()).toMatchObject({ found: 1, done: 1, skipped: 0 });
        await uniqueCopy('chelsea.png', dir, 'second.png');
        expect(await runOnce()).toMatchObject({ found: 2, done: 1, skipped: 1 });
      } finally {
        await runCli(['schedule', 'delete', scheduleId], env);
      }
    });
  });
});

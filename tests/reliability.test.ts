import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchInput, BatchProgress } from '../core/batch';
import { downServices, upServices } from '../services/embedded';
import { queuesPolled } from '../services/probes';
import { activityRetries, countingFailures, terminateIfRunning, until, untilProgress } from './support/batch-watch';
import { tempDir, uniqueCopy } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

// Short faults against the real services: the worker killed mid-batch, the database stopped for
// a few seconds. Each test asserts that the fault came while images were in flight, that the
// work was retried, and that every image ended processed once; no wait gives up silently.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await openTestContext('reliability');
});
afterAll(async () => ctx?.close());

const SAMPLES = ['coffee.png', 'chelsea.png', 'rocket.jpg', 'astronaut.png', 'camera.png', 'page.png', 'motorcycle_left.png', 'text.png'];

async function seizure(n: number): Promise<string> {
  const dir = tempDir('reliable');
  for (let i = 0; i < n; i++) await uniqueCopy(SAMPLES[i % SAMPLES.length]!, dir, `${i}.png`);
  return dir;
}

/** The real worker program, as `clues up` runs it, on its own queues and database; once it polls both. */
async function startWorker(taskQueue: string): Promise<ChildProcess> {
  const since = new Date();
  const child = spawn(process.execPath, [join(ctx.cfg.root, 'dist', 'worker', 'main.js')], {
    env: { ...process.env, CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName },
    stdio: 'ignore',
  });
  await until(`the worker (pid ${child.pid}) polls ${taskQueue}`, () => queuesPolled(ctx.cfg.temporal, [taskQueue, `${taskQueue}-cpu`], since), 120_000);
  return child;
}

/** Every image of the run processed once: as many clues stored as its stages recorded, none twice. */
async function expectAllProcessedOnce(r: BatchProgress, n: number): Promise<string[]> {
  expect(r).toMatchObject({ found: n, done: n, partial: 0, skipped: 0, failed: 0 });
  const images = await ctx.store.images.images.find({}).toArray();
  expect(images).toHaveLength(n);
  for (const img of images) {
    const clues = await ctx.store.images.cluesOf(img._id);
    const recorded = Object.values(img.stages ?? {}).reduce((sum, s) => sum + (s.status === 'ok' ? s.clueCount : 0), 0);
    expect(clues.length).toBe(recorded); // no clue twice, none lost
    expect(img.status).toBe('processed');
  }
  return images.map((i) => `image-${i._id}`);
}

describe('reliability against the real services', () => {
  it('when the worker is killed with SIGKILL while images are in flight and started again, then their activities are retried and the batch completes with every image processed once', async () => {
    await ctx.store.images.images.deleteMany({});
    const taskQueue = `test-kill-${randomUUID()}`;
    const dir = await seizure(8);
    let worker = await startWorker(taskQueue);
    const input: BatchInput = { runId: `test-kill-${Date.now()}`, source: { kind: 'folder', path: dir }, concurrency: 2, pageSize: 4 };
    const handle = await ctx.client.workflow.start('processBatch', { workflowId: input.runId, taskQueue, args: [input] });
    const atKill = await untilProgress(ctx.client, input.runId, (s) => s.done >= 2 && s.inFlight > 0);
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    expect(atKill.done).toBeLessThan(8);
    await sleep(1000);
    worker = await startWorker(taskQueue);
    try {
      const result = (await handle.result()) as BatchProgress;
      const ids = await expectAllProcessedOnce(result, 8);
      // What the killed worker held was run again: at least one activity took a second attempt.
      const redone = await activityRetries(ctx.client, ids);
      expect(redone.retried + redone.timedOut, JSON.stringify(redone)).toBeGreaterThan(0);
    } finally {
      worker.kill('SIGTERM');
      await terminateIfRunning(ctx.client, input.runId);
    }
  }, 420_000);

  it('when the database server stops while images are in flight, until an activity fails on it, then the activities are retried and the batch completes', async () => {
    const dir = await seizure(6);
    await ctx.store.images.images.deleteMany({});
    // Counts the activity calls that failed: the outage reached them, and they tried again.
    const failures: Record<string, number> = {};
    const failed = () => Object.values(failures).reduce((a, b) => a + b, 0);
    let runId = '';
    await ctx.withWorker(
      async (taskQueue) => {
        const input: BatchInput = { runId: `test-dbstop-${Date.now()}`, source: { kind: 'folder', path: dir }, concurrency: 2, pageSize: 10 };
        runId = input.runId;
        const handle = await ctx.client.workflow.start('processBatch', { workflowId: input.runId, taskQueue, args: [input] });
        const atStop = await untilProgress(ctx.client, input.runId, (s) => s.done >= 1 && s.inFlight > 0);
        await downServices(ctx.cfg, ['database']);
        // Down until an activity has failed on it (a driver waits 10 s for a server before it gives up).
        await until('an activity failed while the database was down', async () => failed() > 0, 120_000);
        await upServices(ctx.cfg, ['database']);
        expect(atStop.done).toBeLessThan(6);
        const result = (await handle.result()) as BatchProgress;
        const ids = await expectAllProcessedOnce(result, 6);
        // Each activity that failed on the outage ran again: another attempt, or (a stage that
        // failed inside the grouped runStages) scheduled on its own, as the histories record.
        const redone = await activityRetries(ctx.client, ids);
        for (const name of Object.keys(failures).filter((n) => n !== 'runStages')) {
          expect((redone.byActivity[name] ?? 0) + (redone.scheduled[name] ?? 0), `${name}: ${JSON.stringify({ redone, failures })}`).toBeGreaterThan(0);
        }
      },
      (a) => countingFailures(a, failures),
    ).finally(() => upServices(ctx.cfg, ['database']).then(() => terminateIfRunning(ctx.client, runId)));
  }, 420_000);
});

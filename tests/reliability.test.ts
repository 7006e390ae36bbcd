import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchInput, BatchProgress, BatchStatus } from '../core/batch';
import { downServices, upServices } from '../services/embedded';
import { queuesPolled } from '../services/probes';
import { tempDir, uniqueCopy } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

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

/** The real worker program, as `clues up` runs it, on its own queues and database. */
async function startWorker(taskQueue: string): Promise<ChildProcess> {
  const since = new Date();
  const child = spawn(process.execPath, [join(ctx.cfg.root, 'dist', 'worker', 'main.js')], {
    env: { ...process.env, CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName },
    stdio: 'ignore',
  });
  for (let i = 0; i < 240 && !(await queuesPolled(ctx.cfg.temporal, [taskQueue, `${taskQueue}-cpu`], since)); i++) await sleep(250);
  return child;
}

async function untilDone(runId: string, atLeast: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const s = await ctx.client.workflow.getHandle(runId).query<BatchStatus>('progress').catch(() => undefined);
    if (s && s.done >= atLeast) return;
    await sleep(200);
  }
}

async function expectAllProcessedOnce(r: BatchProgress, n: number): Promise<void> {
  expect(r).toMatchObject({ found: n, done: n, skipped: 0, failed: 0 });
  const images = await ctx.store.images.images.find({}).toArray();
  for (const img of images) {
    const clues = await ctx.store.images.cluesOf(img._id);
    const recorded = Object.values(img.stages ?? {}).reduce((sum, s) => sum + (s.status === 'ok' ? s.clueCount : 0), 0);
    expect(clues.length).toBe(recorded); // no clue twice, none lost
    expect(img.status).toBe('processed');
  }
}

describe('reliability against the real services', () => {
  it('when the worker is killed with SIGKILL mid-batch and started again, then the batch completes with every image processed once', async () => {
    const taskQueue = `test-kill-${randomUUID()}`;
    const dir = await seizure(8);
    let worker = await startWorker(taskQueue);
    const input: BatchInput = { runId: `test-kill-${Date.now()}`, source: { kind: 'folder', path: dir }, concurrency: 2, pageSize: 4 };
    const handle = await ctx.client.workflow.start('processBatch', { workflowId: input.runId, taskQueue, args: [input] });
    await untilDone(input.runId, 2);
    worker.kill('SIGKILL');
    await sleep(1000);
    worker = await startWorker(taskQueue);
    try {
      const result = (await handle.result()) as BatchProgress;
      await expectAllProcessedOnce(result, 8);
    } finally {
      worker.kill('SIGTERM');
    }
  }, 360_000);

  it('when the database server stops for a few seconds mid-batch, then activities retry and the batch completes', async () => {
    const dir = await seizure(6);
    await ctx.store.images.images.deleteMany({});
    await ctx.withWorker(async (taskQueue) => {
      const input: BatchInput = { runId: `test-ferret-${Date.now()}`, source: { kind: 'folder', path: dir }, concurrency: 2, pageSize: 10 };
      const handle = await ctx.client.workflow.start('processBatch', { workflowId: input.runId, taskQueue, args: [input] });
      await untilDone(input.runId, 1);
      await downServices(ctx.cfg, ['database']);
      await sleep(5000);
      await upServices(ctx.cfg, ['database']);
      const result = (await handle.result()) as BatchProgress;
      await expectAllProcessedOnce(result, 6);
    });
  }, 300_000);
});

import { copyFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchInput, BatchProgress, BatchStatus } from '../core/batch';
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

describe('batch runs (processBatch)', () => {
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

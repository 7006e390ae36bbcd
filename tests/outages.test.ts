import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchInput, BatchProgress } from '../core/batch';
import { fileSha256 } from '../models/file-hashes';
import { downServices, upServices } from '../services/embedded';
import { activityRetries, clueLines, countingFailures, terminateIfRunning, until, untilProgress } from './support/batch-watch';
import { tempDir, uniqueCopy } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

// Long outages in the middle of a batch: the database down for three minutes, then Temporal down
// for three minutes with `clues run` attached. Nothing fails, nothing is counted partial, and
// every image ends with exactly the clues a clean run gives it.
//
// These tests take about 5 minutes each and run in CI like every other (.ci/run runs the whole
// suite; it has the time). CLUES_TEST_OUTAGE_SECONDS shortens the outages for a quick look
// locally; the figure, and the default, is 180.

const OUTAGE_MS = Number(process.env.CLUES_TEST_OUTAGE_SECONDS ?? 180) * 1000;
const SAMPLES = ['coffee.png', 'chelsea.png', 'rocket.jpg', 'astronaut.png', 'camera.png', 'page.png', 'motorcycle_left.png', 'text.png'];
const N = 8;

let ctx: TestContext;
let dir = '';
let shas: string[] = [];
/** Each image's clues after a run with no fault. */
let clean: Record<string, string[]> = {};

async function clearStore(): Promise<void> {
  for (const c of ['images', 'clues', 'search_terms', 'search_term_stats', 'run_items']) await ctx.store.raw(c).deleteMany({});
}

const batch = (taskQueue: string, name: string) => {
  const input: BatchInput = { runId: `test-${name}-${Date.now()}`, source: { kind: 'folder', path: dir }, concurrency: 2, pageSize: 4 };
  return ctx.client.workflow.start('processBatch', { workflowId: input.runId, taskQueue, args: [input] }).then((handle) => ({ handle, runId: input.runId }));
};

beforeAll(async () => {
  ctx = await openTestContext('outages');
  dir = tempDir('outage');
  for (let i = 0; i < N; i++) await uniqueCopy(SAMPLES[i]!, dir, `${i}.png`);
  shas = await Promise.all(Array.from({ length: N }, (_, i) => fileSha256(join(dir, `${i}.png`))));
  // The reference: the same files, no fault.
  await ctx.withWorker(async (taskQueue) => {
    const { handle } = await batch(taskQueue, 'clean');
    expect(await handle.result()).toMatchObject({ found: N, done: N, partial: 0, failed: 0 });
  });
  clean = await clueLines(ctx.store, shas);
  for (const sha of shas) expect(clean[sha]!.length, sha).toBeGreaterThan(0);
}, 900_000);
afterAll(async () => {
  // Whatever happened, the services are left running for the next test file.
  await upServices(ctx.cfg, ['database', 'temporal']).catch(() => undefined);
  await ctx?.close();
});

describe('outages are waited out, not turned into failures', () => {
  it('when the database is down for three minutes in the middle of a batch, then every image ends done with the clues of a clean run', async () => {
    await clearStore();
    const failures: Record<string, number> = {};
    let run = '';
    await ctx.withWorker(
      async (taskQueue) => {
        const { handle, runId } = await batch(taskQueue, 'db-outage');
        run = runId;
        const before = await untilProgress(ctx.client, runId, (s) => s.done >= 1 && s.inFlight > 0);
        await downServices(ctx.cfg, ['database']);
        const downAt = Date.now();
        await sleep(OUTAGE_MS);
        await upServices(ctx.cfg, ['database']);
        expect(Date.now() - downAt).toBeGreaterThanOrEqual(OUTAGE_MS);
        expect(before.done).toBeLessThan(N);
        const r = (await handle.result()) as BatchProgress;
        expect(r).toMatchObject({ found: N, done: N, partial: 0, skipped: 0, failed: 0 });
        // The outage was felt: activities failed on it and were tried again until it was over.
        expect(Object.keys(failures).length, JSON.stringify(failures)).toBeGreaterThan(0);
        const redone = await activityRetries(ctx.client, shas.map((s) => `image-${s}`));
        for (const name of Object.keys(failures).filter((n) => n !== 'runStages')) {
          expect((redone.byActivity[name] ?? 0) + (redone.scheduled[name] ?? 0), `${name}: ${JSON.stringify({ redone, failures })}`).toBeGreaterThan(0);
        }
      },
      (a) => countingFailures(a, failures),
    ).finally(() => upServices(ctx.cfg, ['database']).then(() => terminateIfRunning(ctx.client, run)));
    expect(await clueLines(ctx.store, shas)).toEqual(clean);
    for (const kind of ['failed', 'partial', 'skipped'] as const) expect(await ctx.store.runItems.page(run, kind, { limit: 10 }), kind).toEqual({ items: [] });
  }, 1_200_000);

  it('when Temporal is down for three minutes in the middle of a batch, then the attached `clues run` waits it out and prints its JSON, and every image ends done with the clues of a clean run', async () => {
    await clearStore();
    let started = '';
    let cli: ChildProcess | undefined;
    await ctx.withWorker(async (taskQueue) => {
      // The CLI, attached, as an analyst starts an overnight run.
      cli = spawn(process.execPath, [join(ctx.cfg.root, 'bin', 'clues.js'), 'run', dir, '--concurrency', '2', '--json'], {
        env: { ...process.env, CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      const attached = cli;
      attached.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      attached.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number>((resolve) => attached.once('exit', (code) => resolve(code ?? 1)));
      await until('the run started', async () => /started (run-\S+)/.test(stderr), 60_000);
      const runId = /started (run-\S+)/.exec(stderr)![1]!;
      started = runId;
      const before = await untilProgress(ctx.client, runId, (s) => s.done >= 1 && s.inFlight > 0);
      await downServices(ctx.cfg, ['temporal']);
      await sleep(OUTAGE_MS);
      expect(attached.exitCode, `the CLI gave up during the outage: ${stderr}`).toBeNull();
      await upServices(ctx.cfg, ['temporal']);
      expect(before.done).toBeLessThan(N);
      const code = await Promise.race([exited, sleep(900_000).then(() => -1)]);
      expect(code, stderr).toBe(0);
      expect(stderr).toMatch(/Temporal does not answer .*; waiting for it/);
      const r = JSON.parse(stdout) as BatchProgress & { runId: string };
      expect(r).toMatchObject({ runId, found: N, done: N, partial: 0, skipped: 0, failed: 0, failures: [], partials: [], skips: [] });
    }).finally(async () => {
      if (cli?.exitCode === null) cli.kill('SIGTERM');
      await upServices(ctx.cfg, ['temporal']);
      await terminateIfRunning(ctx.client, started);
    });
    expect(await clueLines(ctx.store, shas)).toEqual(clean);
  }, 1_500_000);
});

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { createActivities } from '../activities';
import { connectClient } from '../client/temporal-client';
import type { BatchInput, BatchProgress } from '../core/batch';
import type { ImageDescriptors, StageOutcome } from '../core/clues';
import { loadConfig } from '../core/config';
import { projectRoot } from '../core/project-root';
import { fileSha256 } from '../models/file-hashes';
import { loadModels } from '../models/registry';
import { upServices } from '../services/embedded';
import { queuesPolled } from '../services/probes';
import { MongoClueStore } from '../store/clue-store';

// `npm run bench:batch`: images per hour end to end (Temporal + FerretDB + workers) on
// BENCH_BATCH_IMAGES images (default 200), against the pure model time for the same images in
// one process; and 1 worker process against 2. Uses its own data folder and ports.

const N = Number(process.env.BENCH_BATCH_IMAGES ?? 200);
const root = projectRoot();
process.env.CLUES_DATA_DIR ??= join(root, '.data', 'bench');
process.env.CLUES_FERRETDB_PORT ??= '27401';
process.env.CLUES_TEMPORAL_PORT ??= '27433';
process.env.CLUES_TEMPORAL_UI_PORT ??= '27434';

const SOURCES = ['astronaut.png', 'camera.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'motorcycle_left.png', 'page.png', 'text.png'];

async function images(label: string): Promise<string> {
  const dir = join(tmpdir(), `clues-bench-${label}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < N; i++) {
    const [r, g, b] = randomBytes(3);
    await sharp(join(root, 'samples', SOURCES[i % SOURCES.length]!))
      .composite([{ input: { create: { width: 2, height: 2, channels: 3, background: { r: r!, g: g!, b: b! } } }, left: i % 50, top: 0 }])
      .png({ compressionLevel: 1 })
      .toFile(join(dir, `${i}.png`));
  }
  return dir;
}

/** The same stages in one process, one image after another: the model time alone. */
async function pureModelTime(dir: string, store: MongoClueStore): Promise<number> {
  const cfg = loadConfig();
  const models = await loadModels(cfg);
  const a = createActivities({ store, models, maxPixels: cfg.limits.maxPixels, dataDir: cfg.dataDir });
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const path = join(dir, `${i}.png`);
    const ref = { path, sha256: await fileSha256(path) };
    await a.loadImage(ref);
    const first: StageOutcome[] = [await a.hashImage(ref), await a.readMetadata(ref), await a.detectObjects(ref), await a.readText(ref), await a.describeImage(ref)];
    await a.classifyScene({ ref, objects: first[2]!.clues.map((c) => ({ label: c.value, score: c.score ?? 0 })) });
    if (first[4]!.status === 'ok') await a.matchPlaces({ ref, descriptors: first[4]!.data as unknown as ImageDescriptors });
  }
  await models.close();
  return performance.now() - started;
}

async function startWorkers(count: number, taskQueue: string, cpuConcurrency: number): Promise<ChildProcess[]> {
  const cfg = loadConfig();
  const since = new Date();
  const workers = Array.from({ length: count }, () =>
    spawn(process.execPath, ['--max-old-space-size=1024', join(root, 'dist', 'worker', 'main.js')], {
      env: { ...process.env, CLUES_TASK_QUEUE: taskQueue, CLUES_WORKER_CPU_CONCURRENCY: String(cpuConcurrency) },
      stdio: ['ignore', 'ignore', openSync(join(cfg.paths.logs, 'bench-workers.log'), 'a')],
    }),
  );
  while (!(await queuesPolled(cfg.temporal.address, cfg.temporal.namespace, [taskQueue, `${taskQueue}-cpu`], since))) {
    if (workers.some((w) => w.exitCode !== null)) throw new Error(`a worker exited at start-up; see ${join(cfg.paths.logs, 'bench-workers.log')}`);
    await sleep(250);
  }
  await sleep(2000); // let every process register its pollers
  return workers;
}

const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function endToEnd(label: string, workers: number, cpuConcurrency: number): Promise<number> {
  const cfg = loadConfig();
  const slug = label.replace(/[^A-Za-z0-9]+/g, '-');
  const dir = await images(slug);
  const taskQueue = `bench-${slug}-${Date.now()}`;
  const procs = await startWorkers(workers, taskQueue, cpuConcurrency);
  const client = await connectClient(cfg);
  const input: BatchInput = { runId: `bench-${slug}-${Date.now()}`, source: { kind: 'folder', path: dir }, concurrency: workers * cpuConcurrency * 2, pageSize: 50 };
  const started = performance.now();
  const result = (await client.workflow.execute('processBatch', { workflowId: input.runId, taskQueue, args: [input] })) as BatchProgress;
  const ms = performance.now() - started;
  const rss = procs.map((p) => peakRss(p.pid!).toFixed(0)).join(' + ');
  for (const p of procs) p.kill('SIGTERM');
  await client.connection.close();
  console.log(`${label.padEnd(44)} ${(ms / 1000).toFixed(0).padStart(6)} s ${(3_600_000 / (ms / N)).toFixed(0).padStart(8)} img/h   done ${result.done}, failed ${result.failed}; worker peak RSS ${rss} MiB`);
  return ms;
}

async function main(): Promise<void> {
  const cfg = loadConfig();
  console.log(`bench:batch: ${N} images, data in ${cfg.dataDir}`);
  await upServices(cfg, ['ferretdb', 'temporal']);
  const store = await MongoClueStore.connect(cfg.mongo.uri, `bench_batch_${Date.now()}`);
  const baselineDir = await images('baseline');
  const pure = await pureModelTime(baselineDir, store);
  console.log(`${'pure model time, one process, sequential'.padEnd(44)} ${(pure / 1000).toFixed(0).padStart(6)} s ${(3_600_000 / (pure / N)).toFixed(0).padStart(8)} img/h`);
  await store.close();
  const one = await endToEnd('1 worker process, cpu concurrency 1', 1, 1);
  const two = await endToEnd('2 worker processes, cpu concurrency 1', 2, 1);
  const oneWide = await endToEnd('1 worker process, cpu concurrency 2', 1, 2);
  console.log(`\norchestration + storage overhead (1 worker, concurrency 1 vs pure sequential): ${((one / pure - 1) * 100).toFixed(1)}%`);
  console.log(`speed-up, 2 worker processes vs 1 (concurrency 1 each): ${(one / two).toFixed(2)}x`);
  console.log(`speed-up, 1 worker at concurrency 2 vs 1: ${(one / oneWide).toFixed(2)}x`);
  console.log('(services left running in the bench data folder: CLUES_DATA_DIR=.data/bench npx clues down)');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

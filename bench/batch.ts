import { join } from 'node:path';
import { createActivities } from '../activities';
import { connectClient } from '../client/temporal-client';
import type { BatchInput, BatchProgress } from '../core/batch';
import type { ImageDescriptors, StageOutcome } from '../core/clues';
import { loadConfig } from '../core/config';
import { fileSha256 } from '../models/file-hashes';
import { LocalEngine } from '../engine/local-engine';
import { readPid } from '../services/daemon';
import { upServices } from '../services/embedded';
import { openStore, type Store } from '../store';
import { openBlobStore } from '../storage/open';
import { saveTimePerImage } from './store-writes';
import { buildSyntheticStore } from './synthetic-store';
import { benchEnvironment, cpuSeconds, generateImages, peakRss, startWorkers } from './batch-support';

// `npm run bench:batch`: images per hour end to end (Temporal + FerretDB + workers) on
// BENCH_BATCH_IMAGES images (default 200), against the pure model time for the same images in
// one process; and 1 worker process against 2. Uses its own data folder and ports.

const N = Number(process.env.BENCH_BATCH_IMAGES ?? 200);
benchEnvironment();
const images = (label: string) => generateImages(label, N);

/** The same stages in one process, one image after another: the model time alone. */
async function pureModelTime(dir: string, store: Store): Promise<number> {
  const cfg = loadConfig();
  // The engine in this process: model time without the engine process's messages.
  const engine = await LocalEngine.create(cfg);
  const a = createActivities({ store, engine, blobs: openBlobStore(cfg.storage), ownQueue: 'in-process' });
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const path = join(dir, `${i}.png`);
    const ref = { path, sha256: await fileSha256(path) };
    await a.loadImage(ref);
    const first: StageOutcome[] = [await a.hashImage(ref), await a.readMetadata(ref), await a.detectObjects(ref), await a.readText(ref), await a.describeImage(ref)];
    await a.classifyScene({ ref, objects: first[2]!.clues.map((c) => ({ label: c.value, score: c.score ?? 0 })) });
    if (first[4]!.status === 'ok') await a.matchPlaces({ ref, descriptors: first[4]!.data as unknown as ImageDescriptors });
  }
  await engine.close();
  return performance.now() - started;
}

async function endToEnd(label: string, workers: number, cpuConcurrency: number): Promise<number> {
  const cfg = loadConfig();
  const slug = label.replace(/[^A-Za-z0-9]+/g, '-');
  const dir = await images(slug);
  const taskQueue = `bench-${slug}-${Date.now()}`;
  // A fresh database per configuration: FerretDB scans tables, so a fuller store would be slower.
  const procs = await startWorkers(workers, taskQueue, { CLUES_WORKER_CPU_CONCURRENCY: String(cpuConcurrency), CLUES_DB_NAME: `bench_batch_${slug.slice(0, 20)}_${Date.now()}` });
  const client = await connectClient(cfg);
  const input: BatchInput = { runId: `bench-${slug}-${Date.now()}`, source: { kind: 'folder', path: dir }, concurrency: workers * cpuConcurrency * 2, pageSize: 50 };
  const services = (['temporal', 'database'] as const).map((name) => ({ name, pid: readPid(cfg.paths, name)!.pid }));
  const cpuBefore = services.map((s) => cpuSeconds(s.pid));
  const workerCpuBefore = procs.map((p) => cpuSeconds(p.pid!));
  const started = performance.now();
  const result = (await client.workflow.execute('processBatch', { workflowId: input.runId, taskQueue, args: [input] })) as BatchProgress;
  const ms = performance.now() - started;
  const workerCpu = procs.reduce((sum, p, i) => sum + cpuSeconds(p.pid!) - workerCpuBefore[i]!, 0);
  const cpu = services.map((s, i) => `${s.name} ${(cpuSeconds(s.pid) - cpuBefore[i]!).toFixed(0)} s`).join(', ');
  const rss = procs.map((p) => peakRss(p.pid!).toFixed(0)).join(' + ');
  for (const p of procs) p.kill('SIGTERM');
  await client.connection.close();
  console.log(`${label.padEnd(44)} ${(ms / 1000).toFixed(0).padStart(6)} s ${(3_600_000 / (ms / N)).toFixed(0).padStart(8)} img/h   done ${result.done}, failed ${result.failed}; worker peak RSS ${rss} MiB`);
  console.log(`${''.padEnd(44)} CPU used: workers ${workerCpu.toFixed(0)} s, ${cpu} (2 cores: ${(2 * ms / 1000).toFixed(0)} s available)`);
  return ms;
}

/**
 * `--store`: the store's own time per saved image in an empty database and in one already holding
 * STORE_IMAGES (100,000) images (the search benchmark's store, built if missing).
 */
async function storeTimes(): Promise<void> {
  const cfg = loadConfig();
  const full = Number(process.env.BENCH_STORE_IMAGES ?? 100_000);
  await upServices(cfg, ['database']);
  const empty = await openStore(cfg.mongo.uri, `bench_store_empty_${Date.now()}`);
  const filled = await openStore(cfg.mongo.uri, `bench_store_${full}`);
  try {
    const built = await buildSyntheticStore(filled, full, (n) => process.stdout.write(`\r  building a store of ${full} images: ${n}`));
    if (built) console.log(` (${built.toFixed(0)} s)`);
    await saveTimePerImage(empty, 20); // warm-up
    const e = await saveTimePerImage(empty, 300);
    const f = await saveTimePerImage(filled, 300);
    console.log(`store time per image: empty ${e} ms, with ${full} images stored ${f} ms (ratio ${(f / e).toFixed(2)})`);
    console.log(JSON.stringify({ store_ms_per_image_empty: e, store_ms_per_image_full: f, full_images: full, ratio: Math.round((f / e) * 100) / 100 }));
  } finally {
    await empty.raw('images').db.dropDatabase();
    await Promise.all([empty.close(), filled.close()]);
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--store')) return storeTimes();
  const cfg = loadConfig();
  console.log(`bench:batch: ${N} images, data in ${cfg.dataDir}`);
  await upServices(cfg, ['database', 'temporal']);
  const store = await openStore(cfg.mongo.uri, `bench_batch_${Date.now()}`);
  const baselineDir = await images('baseline');
  const cpu0 = process.cpuUsage();
  const pure = await pureModelTime(baselineDir, store);
  const pureCpu = process.cpuUsage(cpu0);
  console.log(`${'pure model time, one process, sequential'.padEnd(44)} ${(pure / 1000).toFixed(0).padStart(6)} s ${(3_600_000 / (pure / N)).toFixed(0).padStart(8)} img/h   CPU used ${((pureCpu.user + pureCpu.system) / 1e6).toFixed(0)} s`);
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

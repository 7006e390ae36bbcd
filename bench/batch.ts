import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openRegionIndex } from '../vectors/open-region-index';
import { createActivities } from '../activities';
import { connectClient } from '../client/temporal-client';
import { DEFAULT_RUN_CONCURRENCY, type BatchInput, type BatchProgress } from '../core/batch';
import type { StageName, StageOutcome } from '../core/clues';
import { STAGE_REGISTRY, stageWaves } from '../core/stages';
import { loadConfig } from '../core/config';
import { fileSha256 } from '../models/file-hashes';
import { LocalEngine } from '../engine/local-engine';
import { readPid } from '../services/daemon';
import { upServices } from '../services/embedded';
import { openStore, type Store } from '../store';
import { openBlobStore } from '../blobs/open';
import { saveTimePerImage } from './store-writes';
import { buildSyntheticStore } from './synthetic-store';
import { benchEnvironment, cpuSeconds, peakRss, root, startWorkers, withChildren } from './batch-support';
import { corpus, MIXES, type Mix } from './corpus';
import { checkoutOf, median, runRound, type RoundResult } from './side-by-side';

// `npm run bench:batch [-- --mix phone|small|mixed] [--images N] [--baseline REV] [--rounds R]
// [--concurrency C] [--json]`: images per hour of this code and of an earlier commit (default
// 03e7cee) side by side, each with its own stack (`clues up`, `clues run`), in the same run, on the
// same images (bench/corpus.ts), at the same settings; rounds alternate the two. CPU seconds per
// image (every process of the stack) and the worker's peak RSS (with its engines) beside the times.
// `--breakdown`: this code alone, end to end against its pure model time, one worker and two
// (BENCH_ONLY=pure,one,seq,two for a part). `--store`: the store's own time per saved image,
// empty and with 100,000 images.

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const MIX = (arg('mix') ?? 'small') as Mix;
if (!MIXES.includes(MIX)) throw new Error(`--mix takes ${MIXES.join(', ')}`);
const N = Number(arg('images') ?? process.env.BENCH_BATCH_IMAGES ?? (MIX === 'phone' ? 100 : 200));
const JSON_OUT = process.argv.includes('--json');
benchEnvironment();
const say = (line: string) => JSON_OUT || console.log(line);
const images = async (_label: string) => (await corpus(MIX, N, say)).dir;

/** The same stages in one process, one image after another: the model time alone. */
async function pureModelTime(dir: string, store: Store): Promise<number> {
  const cfg = loadConfig();
  // The engine in this process: model time without Temporal, the engine process's messages or saving.
  const engine = await LocalEngine.create(cfg);
  const index = await openRegionIndex(cfg, store);
  const a = createActivities({ store, engine, blobs: openBlobStore(cfg.storage), index, ownQueue: 'in-process' });
  const files = readdirSync(dir).sort();
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const path = join(dir, files[i]!);
    const ref = { path, sha256: await fileSha256(path) };
    await a.prepareImage(ref);
    const done: Partial<Record<StageName, StageOutcome>> = {};
    for (const wave of stageWaves()) {
      for (const s of wave) {
        const act = a[STAGE_REGISTRY[s].activity] as (input: unknown) => Promise<StageOutcome>;
        done[s] = await act({ ...ref, inputs: done });
      }
    }
  }
  await index.close();
  await engine.close();
  return performance.now() - started;
}

interface EndToEnd {
  ms: number;
  perHour: number;
  /** Peak RSS of each worker process plus its engine process. */
  peakRssMiB: number;
  cpu: Record<string, number>;
}

async function endToEnd(label: string, workers: number, cpuConcurrency: number): Promise<EndToEnd> {
  const cfg = loadConfig();
  const slug = label.replace(/[^A-Za-z0-9]+/g, '-');
  const dir = await images(slug);
  const taskQueue = `bench-${slug}-${Date.now()}`;
  const procs = await startWorkers(workers, taskQueue, { CLUES_WORKER_CPU_CONCURRENCY: String(cpuConcurrency), CLUES_DB_NAME: `bench_batch_${slug.slice(0, 20)}_${Date.now()}` });
  const client = await connectClient(cfg);
  const input: BatchInput = { runId: `bench-${slug}-${Date.now()}`, source: { kind: 'folder', path: dir }, concurrency: Number(process.env.BENCH_INFLIGHT ?? DEFAULT_RUN_CONCURRENCY), pageSize: 50 };
  const services = (['temporal', 'database'] as const).map((name) => ({ name, pid: readPid(cfg.paths, name)!.pid }));
  const trees = procs.map((p) => withChildren(p.pid!));
  const cpuOf = (pids: number[]) => pids.reduce((t, pid) => t + cpuSeconds(pid), 0);
  // Worker processes (Temporal SDK, activities, saving) apart from their engine processes (decoding, models).
  const workerPids = trees.map((t) => t[0]!);
  const enginePids = trees.flatMap((t) => t.slice(1));
  const before = { workers: cpuOf(workerPids), engines: cpuOf(enginePids), ...Object.fromEntries(services.map((s) => [s.name, cpuSeconds(s.pid)])) } as Record<string, number>;
  const started = performance.now();
  const result = (await client.workflow.execute('processBatch', { workflowId: input.runId, taskQueue, args: [input] })) as BatchProgress;
  const ms = performance.now() - started;
  const cpu: Record<string, number> = { workers: cpuOf(workerPids) - before.workers!, engines: cpuOf(enginePids) - before.engines! };
  for (const s of services) cpu[s.name] = cpuSeconds(s.pid) - before[s.name]!;
  const parts = trees.map((t) => t.map((pid) => peakRss(pid)));
  const rss = parts.map((p) => p.reduce((a, b) => a + b, 0));
  for (const p of procs) p.kill('SIGTERM');
  await client.connection.close();
  const perHour = 3_600_000 / (ms / N);
  say(`${label.padEnd(44)} ${(ms / 1000).toFixed(0).padStart(6)} s ${perHour.toFixed(0).padStart(8)} img/h   done ${result.done}, failed ${result.failed}; peak RSS (worker + engines) ${parts.map((p, i) => `${p.map((r) => r.toFixed(0)).join(' + ')} = ${rss[i]!.toFixed(0)}`).join('; ')} MiB`);
  say(`${''.padEnd(44)} CPU used: ${Object.entries(cpu).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')} (2 cores: ${(2 * ms / 1000).toFixed(0)} s available)`);
  if (result.failed) throw new Error(`${result.failed} image(s) failed: ${JSON.stringify(result.failures.slice(0, 3))}`);
  return { ms, perHour, peakRssMiB: Math.max(...rss), cpu };
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

/** This code and an earlier commit, side by side on the same corpus at the same settings. */
async function sideBySide(): Promise<void> {
  const rev = arg('baseline') ?? '03e7cee';
  const rounds = Number(arg('rounds') ?? 1);
  const concurrency = Number(arg('concurrency') ?? DEFAULT_RUN_CONCURRENCY);
  const { dir, bytes, sources } = await corpus(MIX, N, say);
  say(`bench:batch --mix ${MIX}: ${N} images (${(bytes / 2 ** 20).toFixed(0)} MiB, cut from ${sources.length} real photos) in ${dir}`);
  const baseline = checkoutOf(rev, say);
  const current = { label: 'this', dir: root };
  const results: RoundResult[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so that neither always meets a warmer or a busier machine.
    const order = r % 2 ? [current, baseline] : [baseline, current];
    for (const side of order) {
      const res = await runRound(side, dir, N, { concurrency, port: side === current ? 27501 : 27601 });
      results.push(res);
      say(`round ${r + 1} ${side.label.padEnd(8)} ${res.seconds.toFixed(0).padStart(5)} s ${res.perHour.toFixed(0).padStart(7)} img/h  done ${res.done}, partial ${res.partial}, failed ${res.failed}; CPU ${(res.cpuSeconds / N).toFixed(2)} s/image; worker + engines peak ${res.workerPeakMiB.toFixed(0)} MiB`);
    }
  }
  const of = (label: string, f: (x: RoundResult) => number) => median(results.filter((x) => x.label === label).map(f));
  const ratios = Array.from({ length: rounds }, (_, r) => results.filter((x, i) => Math.floor(i / 2) === r)).map((pair) => pair.find((x) => x.label === 'this')!.perHour / pair.find((x) => x.label !== 'this')!.perHour);
  const out = {
    mix: MIX,
    images: N,
    concurrency,
    baseline: baseline.label,
    images_per_hour: Math.round(of('this', (x) => x.perHour)),
    baseline_images_per_hour: Math.round(of(baseline.label, (x) => x.perHour)),
    ratio: Math.round(median(ratios) * 100) / 100,
    cpu_s_per_image: Math.round((of('this', (x) => x.cpuSeconds) / N) * 100) / 100,
    baseline_cpu_s_per_image: Math.round((of(baseline.label, (x) => x.cpuSeconds) / N) * 100) / 100,
    worker_peak_rss_mib: Math.round(of('this', (x) => x.workerPeakMiB)),
    baseline_worker_peak_rss_mib: Math.round(of(baseline.label, (x) => x.workerPeakMiB)),
    failed: results.filter((x) => x.label === 'this').reduce((n, x) => n + x.failed, 0),
  };
  say(`\nthis code ${out.images_per_hour} img/h against ${baseline.label} ${out.baseline_images_per_hour} img/h: ${out.ratio}x (median of ${rounds} round(s), each pair in one run)`);
  console.log(JSON.stringify(out));
}

async function main(): Promise<void> {
  if (process.argv.includes('--store')) return storeTimes();
  if (!process.argv.includes('--breakdown')) return sideBySide();
  const cfg = loadConfig();
  say(`bench:batch: ${N} images, data in ${cfg.dataDir}`);
  await upServices(cfg, ['database', 'temporal']);
  const store = await openStore(cfg.mongo.uri, `bench_batch_${Date.now()}`);
  const baselineDir = await images('baseline');
  // BENCH_ONLY=pure,one,seq,two runs a part (while tuning); the figures need all four.
  const only = (name: string) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(',').includes(name);
  const skipped: EndToEnd = { ms: NaN, perHour: NaN, peakRssMiB: NaN, cpu: {} };
  const cpu0 = process.cpuUsage();
  const pure = only('pure') ? await pureModelTime(baselineDir, store) : NaN;
  const pureCpu = process.cpuUsage(cpu0);
  const purePerHour = 3_600_000 / (pure / N);
  say(`${'pure model time, one process, sequential'.padEnd(44)} ${(pure / 1000).toFixed(0).padStart(6)} s ${purePerHour.toFixed(0).padStart(8)} img/h   CPU used ${((pureCpu.user + pureCpu.system) / 1e6).toFixed(0)} s`);
  await store.close();
  const one = only('one') ? await endToEnd(`1 worker process, cpu concurrency ${cfg.worker.cpuConcurrency} (default)`, 1, cfg.worker.cpuConcurrency) : skipped;
  const oneSeq = only('seq') ? await endToEnd('1 worker process, cpu concurrency 1', 1, 1) : skipped;
  const two = only('two') ? await endToEnd('2 worker processes, cpu concurrency 1', 2, 1) : skipped;
  const overhead = (oneSeq.ms / pure - 1) * 100;
  say(`\norchestration + storage overhead (1 worker at concurrency 1 vs pure sequential): ${overhead.toFixed(1)}%`);
  say(`speed-up, 2 worker processes vs 1 (concurrency 1 each): ${(oneSeq.ms / two.ms).toFixed(2)}x`);
  say('(services left running in the bench data folder: CLUES_DATA_DIR=.data/bench npx clues down)');
  const r = (x: number) => Math.round(x);
  console.log(JSON.stringify({
    images: N,
    pure_per_hour: r(purePerHour),
    one_worker_per_hour: r(one.perHour),
    one_worker_concurrency_1_per_hour: r(oneSeq.perHour),
    two_workers_per_hour: r(two.perHour),
    overhead_pct: Math.round(overhead * 10) / 10,
    speedup_two_workers: Math.round((oneSeq.ms / two.ms) * 100) / 100,
    worker_peak_rss_mib: r(Math.max(one.peakRssMiB, oneSeq.peakRssMiB, two.peakRssMiB)),
    cpu_seconds: { one_worker: one.cpu, one_worker_concurrency_1: oneSeq.cpu, two_workers: two.cpu },
  }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { setTimeout as sleep } from 'node:timers/promises';
import { connectClient } from '../client/temporal-client';
import { DEFAULT_RUN_CONCURRENCY, type BatchInput, type BatchProgress, type BatchStatus } from '../core/batch';
import { loadConfig } from '../core/config';
import { upServices } from '../services/embedded';
import { benchEnvironment, currentRss, peakRss, startWorkers, withChildren } from './batch-support';
import { corpus, MIXES, type Mix } from './corpus';

// `npm run bench:soak [-- --mix phone|small|mixed] [--json]`: one worker process, every model
// loaded, runs BENCH_SOAK_IMAGES images (default 1,000) of the mix (bench/corpus.ts; default small)
// as one batch. Prints the RSS of the worker with its engine processes as the run
// goes, its peak (the sum of each process's peak), and the growth over the second half: the limit
// is 2 GiB and flat.

const N = Number(process.env.BENCH_SOAK_IMAGES ?? 1000);
const at = process.argv.indexOf('--mix');
const MIX = (at > 0 ? process.argv[at + 1] : 'small') as Mix;
if (!MIXES.includes(MIX)) throw new Error(`--mix takes ${MIXES.join(', ')}`);
benchEnvironment();

/** Least-squares slope of rss over done, in MiB per 100 images. */
function slope(points: { done: number; rss: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.done, 0) / n;
  const my = points.reduce((s, p) => s + p.rss, 0) / n;
  const num = points.reduce((s, p) => s + (p.done - mx) * (p.rss - my), 0);
  const den = points.reduce((s, p) => s + (p.done - mx) ** 2, 0);
  return den ? (num / den) * 100 : 0;
}

async function main(): Promise<void> {
  const cfg = loadConfig();
  console.log(`bench:soak --mix ${MIX}: ${N} images through one worker process, data in ${cfg.dataDir}`);
  await upServices(cfg, ['database', 'temporal']);
  const { dir } = await corpus(MIX, N, (s) => console.log(s));
  const taskQueue = `soak-${Date.now()}`;
  const [worker] = await startWorkers(1, taskQueue, {});
  const pid = worker!.pid!;
  // The worker and its engine processes (a restarted engine is a new pid: read the tree each time).
  const rss = () => withChildren(pid).reduce((t, p) => t + currentRss(p), 0);
  const peaks = new Map<number, number>();
  const peak = () => {
    for (const p of withChildren(pid)) peaks.set(p, peakRss(p));
    return [...peaks.values()].reduce((a, b) => a + b, 0);
  };
  console.log(`worker loaded: RSS ${rss().toFixed(0)} MiB (worker + ${withChildren(pid).length - 1} engine processes)`);
  const client = await connectClient(cfg);
  const input: BatchInput = { runId: `soak-${Date.now()}`, source: { kind: 'folder', path: dir }, concurrency: DEFAULT_RUN_CONCURRENCY, pageSize: 100 };
  const handle = await client.workflow.start('processBatch', { workflowId: input.runId, taskQueue, args: [input] });
  const started = performance.now();
  const samples: { done: number; rss: number }[] = [];
  let nextReport = 0.1;
  for (;;) {
    await sleep(5000);
    const p = await handle.query<BatchStatus>('progress').catch(() => null);
    if (!p) continue;
    const finished = p.done + p.skipped + p.failed;
    samples.push({ done: finished, rss: rss() });
    if (finished / N >= nextReport) {
      console.log(`${String(finished).padStart(6)} images  ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s  RSS ${samples.at(-1)!.rss.toFixed(0).padStart(5)} MiB  peak ${peak().toFixed(0)} MiB`);
      nextReport += 0.1;
    }
    if (finished >= N) break;
  }
  const result = (await handle.result()) as BatchProgress;
  const secondHalf = samples.filter((s) => s.done >= N / 2);
  console.log(`\ndone ${result.done}, failed ${result.failed}, skipped ${result.skipped} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log(`worker + engines peak RSS ${peak().toFixed(0)} MiB (limit 2048); RSS at half ${secondHalf[0]?.rss.toFixed(0)} MiB, at the end ${samples.at(-1)?.rss.toFixed(0)} MiB`);
  console.log(`RSS growth over the second half: ${slope(secondHalf).toFixed(1)} MiB per 100 images`);
  console.log(JSON.stringify({ mix: MIX, images: N, done: result.done, failed: result.failed, peak_rss_mib: Math.round(peak()), rss_half_mib: Math.round(secondHalf[0]?.rss ?? NaN), rss_end_mib: Math.round(samples.at(-1)?.rss ?? NaN), growth_mib_per_100: Math.round(slope(secondHalf) * 10) / 10 }));
  worker!.kill('SIGTERM');
  await client.connection.close();
  console.log('(services left running in the bench data folder: CLUES_DATA_DIR=.data/bench npx clues down)');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

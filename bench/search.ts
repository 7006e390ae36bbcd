import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config';
import { currentRss, peakRss } from './batch-support';
import { search, SEARCHES, searchBenchEnvironment, startSearchApi } from './search-api';

// `npm run bench:search -- [--images N] [--json]`: a synthetic store of N images (default 100,000)
// with ten clues each (six text lines, three objects, one scene), loaded into the embedded
// database (or MONGODB_URI) in its own data folder and database; then the p50/p95 latency of
// label, exact-text, fuzzy-text and combined searches through the HTTP API (token check and audit
// included) at 1 and 8 concurrent clients, and the API process's RSS. A store already built for
// N images is reused.

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: process.env.BENCH_IMAGES ?? '100000' },
    json: { type: 'boolean', default: false },
    clients: { type: 'string', default: '1,8' },
    seconds: { type: 'string', default: '20' },
  },
});
const IMAGES = Number(args.images);
const CLIENTS = args.clients!.split(',').map(Number);
const SECONDS = Number(args.seconds);
searchBenchEnvironment();

async function measure(base: string, token: string, queries: Record<string, string>[], clients: number): Promise<{ p50: number; p95: number; n: number; hits: number }> {
  const times: number[] = [];
  const deadline = Date.now() + SECONDS * 1000;
  let next = 0;
  let hits = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline && times.length < 400) {
        const q = queries[next++ % queries.length]!;
        const t = performance.now();
        const res = await search(base, token, q);
        if (!res.ok) throw new Error(`search ${JSON.stringify(q)}: HTTP ${res.status}`);
        times.push(performance.now() - t);
        hits += res.total;
      }
    }),
  );
  const s = times.sort((a, b) => a - b);
  const at = (p: number) => Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 10) / 10;
  return { p50: at(0.5), p95: at(0.95), n: s.length, hits: Math.round(hits / s.length) };
}

async function main(): Promise<void> {
  const cfg = loadConfig();
  const run = await startSearchApi(IMAGES, args.json ? undefined : (n, rate) => process.stdout.write(`\r  built ${n} images (${rate}/s)`));
  try {
    if (run.buildS && !args.json) console.log(`\nbuilt ${IMAGES} images and ${IMAGES * 10} clues in ${run.buildS.toFixed(0)} s`);
    const server = cfg.mongo.embedded ? 'embedded SecantusDB' : cfg.mongo.uri.replace(/\/\/[^@]*@/, '//');
    if (!args.json) console.log(`\n${'search'.padEnd(10)} clients queries  p50 ms   p95 ms   hits/query   (${IMAGES} images, ${server}, through HTTP)`);
    const p95: Record<number, Record<string, number>> = {};
    for (const clients of CLIENTS) {
      for (const [name, queries] of SEARCHES) {
        const m = await measure(run.base, run.token, queries, clients);
        (p95[clients] ??= {})[name] = m.p95;
        if (!args.json) console.log(`${name.padEnd(10)} ${String(clients).padStart(7)} ${String(m.n).padStart(7)} ${String(m.p50).padStart(8)} ${String(m.p95).padStart(8)}   ${m.hits}`);
      }
    }
    const rss = { now: currentRss(run.api.pid!), peak: peakRss(run.api.pid!) };
    const clues = await run.store.images.clues.estimatedDocumentCount();
    if (!args.json) console.log(`\nAPI RSS ${rss.now.toFixed(0)} MiB (peak ${rss.peak.toFixed(0)} MiB)${run.buildS ? `; store built in ${run.buildS.toFixed(0)} s` : '; store reused'}`);
    console.log(JSON.stringify({ images: IMAGES, clues, p95_ms: p95[1] ?? {}, p95_ms_8_clients: p95[8] ?? {}, api_rss_mib: Math.round(rss.now), api_peak_rss_mib: Math.round(rss.peak), build_s: Math.round(run.buildS) }));
  } finally {
    await run.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

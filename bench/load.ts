import { parseArgs } from 'node:util';
import { currentRss } from './batch-support';
import { search, SEARCHES, searchBenchEnvironment, startSearchApi } from './search-api';

// `npm run bench:load -- [--images N] [--clients 50] [--seconds 30] [--json]`: many concurrent
// clients against the search API on loopback for a bounded time, every kind of search mixed: the
// requests per second, p50/p95/p99, errors, and the API's RSS sampled each second (flat, or
// growing). The store is the search benchmark's synthetic store (built once, then reused).

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '10000' },
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
  },
});
searchBenchEnvironment();

async function main(): Promise<void> {
  const images = Number(args.images);
  const clients = Number(args.clients);
  const seconds = Number(args.seconds);
  const run = await startSearchApi(images);
  try {
    const queries = SEARCHES.flatMap(([, qs]) => qs);
    // Warm up (connections, the server's cache), then measure.
    await Promise.all(queries.map((q) => search(run.base, run.token, q)));
    const rss: number[] = [currentRss(run.api.pid!)];
    const sampler = setInterval(() => rss.push(currentRss(run.api.pid!)), 1000);
    const times: number[] = [];
    const errors: Record<string, number> = {};
    let next = 0;
    const deadline = Date.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (Date.now() < deadline) {
          const q = queries[next++ % queries.length]!;
          const t = performance.now();
          try {
            const res = await search(run.base, run.token, q);
            if (!res.ok) errors[`HTTP ${res.status}`] = (errors[`HTTP ${res.status}`] ?? 0) + 1;
          } catch (err) {
            const k = (err as Error).message.slice(0, 60);
            errors[k] = (errors[k] ?? 0) + 1;
          }
          times.push(performance.now() - t);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    clearInterval(sampler);
    rss.push(currentRss(run.api.pid!));
    const s = times.sort((a, b) => a - b);
    const at = (p: number) => Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]!);
    const half = Math.floor(rss.length / 2);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const growth = mean(rss.slice(half)) - mean(rss.slice(0, half));
    const out = {
      images,
      clients,
      seconds: Math.round(elapsed),
      requests: s.length,
      req_per_s: Math.round(s.length / elapsed),
      p50_ms: at(0.5),
      p95_ms: at(0.95),
      p99_ms: at(0.99),
      errors: Object.values(errors).reduce((a, b) => a + b, 0),
      error_kinds: errors,
      api_rss_mib: { start: Math.round(rss[0]!), end: Math.round(rss[rss.length - 1]!), peak: Math.round(Math.max(...rss)), second_half_minus_first_half: Math.round(growth) },
    };
    if (!args.json) {
      console.log(`${clients} clients for ${out.seconds} s against ${images} images: ${out.requests} searches, ${out.req_per_s} req/s; p50 ${out.p50_ms} ms, p95 ${out.p95_ms} ms, p99 ${out.p99_ms} ms; errors ${out.errors}`);
      console.log(`API RSS: ${out.api_rss_mib.start} MiB at start, ${out.api_rss_mib.end} at the end, peak ${out.api_rss_mib.peak}; second half minus first half ${out.api_rss_mib.second_half_minus_first_half} MiB`);
    }
    console.log(JSON.stringify(out));
  } finally {
    await run.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

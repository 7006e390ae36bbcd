import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config';
import { httpAnswers } from '../services/probes';
import { nodeEnv, upServices } from '../services/embedded';
import { openStore } from '../store';
import { currentRss, peakRss, root } from './batch-support';
import { buildSyntheticStore, VOCAB } from './synthetic-store';

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
const DB = `bench_search_v8_${IMAGES}`;

process.env.CLUES_DATA_DIR ??= join(root, '.data', 'bench-search');
process.env.CLUES_DB_PORT ??= '27501';
process.env.CLUES_TEMPORAL_PORT ??= '27533';
process.env.CLUES_TEMPORAL_UI_PORT ??= '27534';
process.env.CLUES_API_PORT ??= '28180';

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
        const res = await fetch(`${base}/api/search?${new URLSearchParams({ ...q, limit: '20' })}`, { headers: { authorization: `Bearer ${token}` } });
        if (!res.ok) throw new Error(`search ${JSON.stringify(q)}: HTTP ${res.status} ${await res.text()}`);
        const { total } = (await res.json()) as { total: number };
        times.push(performance.now() - t);
        hits += total;
      }
    }),
  );
  const s = times.sort((a, b) => a - b);
  const at = (p: number) => Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 10) / 10;
  return { p50: at(0.5), p95: at(0.95), n: s.length, hits: Math.round(hits / s.length) };
}

async function main(): Promise<void> {
  const cfg = loadConfig();
  await upServices(cfg, ['database', 'temporal']);
  const store = await openStore(cfg.mongo.uri, DB);
  let api: ReturnType<typeof spawn> | undefined;
  try {
    const buildS = await buildSyntheticStore(store, IMAGES, args.json ? () => undefined : (n, rate) => process.stdout.write(`\r  built ${n} images (${rate}/s)`));
    if (buildS && !args.json) console.log(`\nbuilt ${IMAGES} images and ${IMAGES * 10} clues in ${buildS.toFixed(0)} s`);
    const token = await store.tokens.create(`bench-${Date.now()}`, 'analyst');
    // The API as deployed: its own process, reading this database.
    api = spawn(process.execPath, ['--max-old-space-size=1024', join(root, 'dist', 'api', 'main.js')], {
      env: nodeEnv({ ...process.env, CLUES_DB_NAME: DB }),
      stdio: ['ignore', 'ignore', openSync(join(cfg.paths.logs, 'bench-search-api.log'), 'a')],
    });
    while (!(await httpAnswers(`${cfg.api.url}/health`))) {
      if (api.exitCode !== null) throw new Error(`the API exited; see ${join(cfg.paths.logs, 'bench-search-api.log')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const word = (i: number) => VOCAB[i]!;
    const misread = (w: string) => w.slice(0, 2) + (w[2] === 'a' ? 'o' : 'a') + w.slice(3);
    const mid = [200, 350, 500, 800, 1200, 2000];
    const cases: [string, Record<string, string>[]][] = [
      ['label', ['bottle', 'chair', 'cup', 'bed', 'car', 'dog'].map((object) => ({ object }))],
      ['exact', mid.map((i) => ({ text: word(i) }))],
      ['fuzzy', mid.map((i) => ({ text: misread(word(i)), mode: 'fuzzy' }))],
      ['combined', mid.map((i, k) => ({ text: word(i), object: ['person', 'chair', 'car'][k % 3]!, case: `case-${k}` }))],
    ];
    const server = cfg.mongo.embedded ? 'embedded SecantusDB' : cfg.mongo.uri.replace(/\/\/[^@]*@/, '//');
    if (!args.json) console.log(`\n${'search'.padEnd(10)} clients queries  p50 ms   p95 ms   hits/query   (${IMAGES} images, ${server}, through HTTP)`);
    const p95: Record<number, Record<string, number>> = {};
    for (const clients of CLIENTS) {
      for (const [name, queries] of cases) {
        const m = await measure(cfg.api.url, token, queries, clients);
        (p95[clients] ??= {})[name] = m.p95;
        if (!args.json) console.log(`${name.padEnd(10)} ${String(clients).padStart(7)} ${String(m.n).padStart(7)} ${String(m.p50).padStart(8)} ${String(m.p95).padStart(8)}   ${m.hits}`);
      }
    }
    const rss = { now: currentRss(api.pid!), peak: peakRss(api.pid!) };
    const clues = await store.images.clues.estimatedDocumentCount();
    if (!args.json) console.log(`\nAPI RSS ${rss.now.toFixed(0)} MiB (peak ${rss.peak.toFixed(0)} MiB)${buildS ? `; store built in ${buildS.toFixed(0)} s` : '; store reused'}`);
    console.log(JSON.stringify({ images: IMAGES, clues, p95_ms: p95[1] ?? {}, p95_ms_8_clients: p95[8] ?? {}, api_rss_mib: Math.round(rss.now), api_peak_rss_mib: Math.round(rss.peak), build_s: Math.round(buildS) }));
  } finally {
    api?.kill('SIGTERM');
    await store.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

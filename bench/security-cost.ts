import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporalConnectionOptions } from '../client/temporal-client';
import { loadConfig } from '../core/config';
import { downServices, upServices } from '../services/embedded';
import { openStore } from '../store';
import { root } from './batch-support';
import { saveTimePerImage } from './store-writes';

// What issue 20's defaults cost, part by part, side by side in one run: the store's time per saved
// image with the database syncing its log at every commit (--sync-on-commit) and without; one
// gRPC round trip to Temporal through the mutual-TLS gate into its network namespace, and to the
// same server on loopback without isolation. Alternating rounds; medians. `--json`: one object last.
// The whole batch, side by side: see docs/SECURITY.md (bench:batch under each setting).

const JSON_OUT = process.argv.includes('--json');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SAVES = Number(process.env.BENCH_SAVES ?? 200);
const CALLS = Number(process.env.BENCH_CALLS ?? 500);
const say = (s: string) => JSON_OUT || console.log(s);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const env = (name: string, extra: Record<string, string>) => loadConfig({
  ...process.env,
  CLUES_DATA_DIR: join(root, '.data', `bench-security-${name}`),
  CLUES_DB_PORT: process.env.CLUES_DB_PORT ?? '27451',
  CLUES_TEMPORAL_PORT: process.env.CLUES_TEMPORAL_PORT ?? '27453',
  CLUES_TEMPORAL_UI_PORT: process.env.CLUES_TEMPORAL_UI_PORT ?? '27454',
  ...extra,
});

async function storeMs(sync: boolean): Promise<number> {
  const cfg = env(sync ? 'sync' : 'nosync', { CLUES_DB_SYNC_ON_COMMIT: sync ? 'on' : 'off' });
  await upServices(cfg, ['database']);
  const store = await openStore(cfg.mongo.uri, `bench_sync_${Date.now()}`);
  try {
    await saveTimePerImage(store, 20); // warm-up
    return await saveTimePerImage(store, SAVES);
  } finally {
    await store.raw('images').db.dropDatabase();
    await store.close();
    await downServices(cfg, ['database']);
  }
}

async function temporalMs(isolation: 'namespace' | 'none'): Promise<number> {
  const cfg = env(isolation, { CLUES_TEMPORAL_ISOLATION: isolation });
  await upServices(cfg, ['temporal']);
  const conn = await Connection.connect(temporalConnectionOptions(cfg.temporal));
  try {
    for (let i = 0; i < 20; i++) await conn.workflowService.getSystemInfo({});
    const times: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const t = performance.now();
      await conn.workflowService.describeNamespace({ namespace: cfg.temporal.namespace });
      times.push(performance.now() - t);
    }
    return Math.round(median(times) * 1000) / 1000;
  } finally {
    await conn.close();
    await downServices(cfg, ['temporal']);
  }
}

async function main(): Promise<void> {
  const r = { sync: [] as number[], nosync: [] as number[], gate: [] as number[], loopback: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    r.sync.push(await storeMs(true));
    r.nosync.push(await storeMs(false));
    r.gate.push(await temporalMs('namespace'));
    r.loopback.push(await temporalMs('none'));
    say(`round ${i + 1}: save ${r.sync.at(-1)} ms synced, ${r.nosync.at(-1)} ms not; Temporal call ${r.gate.at(-1)} ms through the gate, ${r.loopback.at(-1)} ms on loopback`);
  }
  const m = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)])) as Record<keyof typeof r, number>;
  say(`store time per saved image: ${m.sync} ms with --sync-on-commit, ${m.nosync} ms without (x${(m.sync / m.nosync).toFixed(2)})`);
  say(`one Temporal call: ${m.gate} ms through the mutual-TLS gate, ${m.loopback} ms on loopback (x${(m.gate / m.loopback).toFixed(2)})`);
  console.log(JSON.stringify({ rounds: ROUNDS, store_ms_per_image_synced: m.sync, store_ms_per_image_unsynced: m.nosync, sync_ratio: Math.round((m.sync / m.nosync) * 100) / 100, temporal_call_ms_gate: m.gate, temporal_call_ms_loopback: m.loopback, gate_ratio: Math.round((m.gate / m.loopback) * 100) / 100 }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../core/config';
import { nodeEnv, upServices } from '../services/embedded';
import { httpAnswers } from '../services/probes';
import { openStore, type Store } from '../store';
import { root } from './batch-support';
import { buildSyntheticStore, VOCAB } from './synthetic-store';

// The search benchmarks' set-up: their own data folder and ports, the synthetic store of N images
// (built once, then reused), an analyst token, and the API in a process of its own.

export function searchBenchEnvironment(): void {
  process.env.CLUES_DATA_DIR ??= join(root, '.data', 'bench-search');
  process.env.CLUES_DB_PORT ??= '27501';
  process.env.CLUES_TEMPORAL_PORT ??= '27533';
  process.env.CLUES_TEMPORAL_UI_PORT ??= '27534';
  process.env.CLUES_API_PORT ??= '28180';
}

export interface SearchApi {
  base: string;
  token: string;
  api: ChildProcess;
  store: Store;
  /** Seconds the store took to build (0 when it was reused). */
  buildS: number;
  stop(): Promise<void>;
}

export async function startSearchApi(images: number, progress?: (built: number, perSecond: number) => void): Promise<SearchApi> {
  const cfg = loadConfig();
  await upServices(cfg, ['database', 'temporal']);
  const db = `bench_search_v8_${images}`;
  const store = await openStore(cfg.mongo.uri, db);
  const buildS = await buildSyntheticStore(store, images, progress);
  const token = await store.tokens.create(`bench-${Date.now()}`, 'analyst');
  const log = join(cfg.paths.logs, 'bench-search-api.log');
  const api = spawn(process.execPath, ['--max-old-space-size=1024', join(root, 'dist', 'api', 'main.js')], {
    env: nodeEnv({ ...process.env, CLUES_DB_NAME: db }),
    stdio: ['ignore', 'ignore', openSync(log, 'a')],
  });
  while (!(await httpAnswers(`${cfg.api.url}/health`))) {
    if (api.exitCode !== null) throw new Error(`the API exited; see ${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base: cfg.api.url,
    token,
    api,
    store,
    buildS,
    async stop() {
      api.kill('SIGTERM');
      await store.close();
    },
  };
}

const word = (i: number) => VOCAB[i]!;
const misread = (w: string) => w.slice(0, 2) + (w[2] === 'a' ? 'o' : 'a') + w.slice(3);
const MID = [200, 350, 500, 800, 1200, 2000];

/** The searches measured, by kind: the same across versions, so figures compare. */
export const SEARCHES: [string, Record<string, string>[]][] = [
  ['label', ['bottle', 'chair', 'cup', 'bed', 'car', 'dog'].map((object) => ({ object }))],
  ['exact', MID.map((i) => ({ text: word(i) }))],
  ['fuzzy', MID.map((i) => ({ text: misread(word(i)), mode: 'fuzzy' }))],
  ['combined', MID.map((i, k) => ({ text: word(i), object: ['person', 'chair', 'car'][k % 3]!, case: `case-${k}` }))],
];

/** One search through HTTP; its total, or the HTTP status when it failed. */
export async function search(base: string, token: string, q: Record<string, string>): Promise<{ ok: true; total: number } | { ok: false; status: number }> {
  const res = await fetch(`${base}/api/search?${new URLSearchParams({ ...q, limit: '20' })}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) return { ok: false, status: res.status };
  return { ok: true, total: ((await res.json()) as { total: number }).total };
}

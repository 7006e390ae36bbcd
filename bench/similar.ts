import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadConfig, type Config } from '../core/config';
import type { SimilarResult } from '../core/api-types';
import { openBlobStore } from '../blobs/open';
import { featuresKey } from '../blobs/keys';
import { LocalEngine } from '../engine/local-engine';
import type { QueryResult } from '../engine/image-engine';
import { nodeEnv, upServices } from '../services/embedded';
import { httpAnswers } from '../services/probes';
import { openStore, type Store } from '../store';
import { REGION_DIMS, REGION_MODEL } from '../models/region-descriptors';
import { readRegionMeta, REGION_INDEX_FILE, RegionIndex } from '../vectors/region-index';
import { regionIndexDir } from '../vectors/open-region-index';
import { peakRss, root, startWorkers } from './batch-support';
import { buildEvalSet, type EvalSet } from '../eval/set';
import { distractor, distractorSources } from './similar-distractors';
import { addDescriptorsOnly } from './similar-descriptors-only';

// Search by example among N distractors, through the API (token checked, each query audited):
//   npm run bench:similar -- --images N [--json] [--descriptors-only]
// Queries are the eval's crops and same-scene views; the gallery is the eval's scene photos plus N
// distractor photos (bench/similar-distractors.ts). Distractors get only what search by example
// reads (PDQ, embedding, keypoints, region descriptors), computed by the same engine code and
// saved through the store as the pipeline saves them. Made once, cached (pixels and descriptors
// in the data folder, the store in a database per N). With --descriptors-only, N images' region
// descriptors are added without pixels (real distractors' descriptors, perturbed): latency and
// memory at 1,000,000.

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const N = Number(arg('--images') ?? 1000);
const JSON_OUT = process.argv.includes('--json');
const DESCRIPTORS_ONLY = process.argv.includes('--descriptors-only');
const REUSE_INDEX = process.argv.includes('--reuse-index');
/** Real distractors behind --descriptors-only (their descriptors are perturbed into N). */
const REAL_FOR_DESCRIPTORS = Number(arg('--real') ?? 2000);
const say = (line: string) => JSON_OUT || console.log(line);

process.env.CLUES_DATA_DIR ??= join(root, '.data', 'bench-similar');
process.env.CLUES_DB_PORT ??= '27601';
process.env.CLUES_TEMPORAL_PORT ??= '27633';
process.env.CLUES_TEMPORAL_UI_PORT ??= '27634';
process.env.CLUES_API_PORT ??= '28280';

interface Cached {
  sha256: string;
  pdq: QueryResult['pdq'];
  embedding: number[];
  features: string;
  keypoints: number;
  regions: { dims: number; kinds: string; boxes: { x: number; y: number; w: number; h: number }[]; vectors: string };
}

/** What search by example reads of one image: from the cache, or computed once by the engine. */
async function described(engine: LocalEngine, path: string, cacheDir: string): Promise<Cached> {
  const file = join(cacheDir, `${basename(path)}.${REGION_MODEL}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Cached;
  const q = await engine.query({ path });
  const r = q.regions!;
  const c: Cached = {
    sha256: q.sha256, pdq: q.pdq, embedding: q.embedding, features: Buffer.from(q.features).toString('base64'), keypoints: q.keypoints,
    regions: { dims: r.dims, kinds: r.kinds, boxes: r.boxes, vectors: Buffer.from(r.vectors.buffer, r.vectors.byteOffset, r.vectors.byteLength).toString('base64') },
  };
  writeFileSync(file, JSON.stringify(c));
  return c;
}

/** Saved as the pipeline saves an image whose hashes, features and regions stages ran. */
async function saveDescribed(store: Store, blobs: ReturnType<typeof openBlobStore>, path: string, c: Cached, model: { name: string; version: string }): Promise<void> {
  const featuresPath = featuresKey(c.sha256);
  await blobs.put(featuresPath, Buffer.from(c.features, 'base64'));
  await store.images.save({
    sha256: c.sha256, path, info: { width: 0, height: 0, format: 'jpeg', bytes: statSync(path).size },
    stages: [
      { stage: 'hashes', status: 'ok', clues: [], data: { pdq: c.pdq } },
      { stage: 'features', status: 'ok', clues: [], data: { embedding: c.embedding, featuresPath, keypoints: c.keypoints } },
      { stage: 'regions', status: 'ok', model, clues: [], data: c.regions as unknown as Record<string, unknown> },
    ],
  });
}

async function buildStore(cfg: Config, store: Store, set: EvalSet, engine: LocalEngine, distractors: number): Promise<void> {
  const marker = await store.raw('bench').findOne({ _id: 'built' as never });
  if (marker) return;
  const blobs = openBlobStore(cfg.storage);
  const cache = join(cfg.dataDir, 'descriptors');
  const pixels = join(cfg.dataDir, 'distractors');
  mkdirSync(cache, { recursive: true });
  const model = engine.models.regions.ok ? engine.models.regions.model : { name: REGION_MODEL, version: 'unknown' };
  for (const g of set.scenes.gallery) await saveDescribed(store, blobs, g.path, await described(engine, g.path, cache), model);
  const sources = distractorSources();
  const started = Date.now();
  for (let i = 0; i < distractors; i++) {
    const path = await distractor(pixels, i, sources);
    await saveDescribed(store, blobs, path, await described(engine, path, join(cache)), model);
    if ((i + 1) % 500 === 0) say(`  ${i + 1}/${distractors} distractors (${Math.round((i + 1) / ((Date.now() - started) / 1000))}/s)`);
  }
  await store.raw('bench').insertOne({ _id: 'built' as never, at: new Date() });
}

async function main(): Promise<void> {
  const cfg0 = loadConfig();
  await upServices(cfg0, ['database', 'temporal']);
  const dbName = `bench_similar_v1_${DESCRIPTORS_ONLY ? `d${N}` : N}`;
  process.env.CLUES_DB_NAME = dbName;
  const cfg = loadConfig();
  const store = await openStore(cfg.mongo.uri, dbName);
  const set = await buildEvalSet(join(cfg.dataDir, 'eval-set'));
  const engine = await LocalEngine.create(cfg);
  say(`store ${dbName}: eval gallery of ${set.scenes.gallery.length} + ${DESCRIPTORS_ONLY ? `${REAL_FOR_DESCRIPTORS} real distractors + ${N} descriptors only` : `${N} distractors`}`);
  await buildStore(cfg, store, set, engine, DESCRIPTORS_ONLY ? REAL_FOR_DESCRIPTORS : N);
  if (DESCRIPTORS_ONLY) await addDescriptorsOnly(store, N, (n) => say(`  ${n}/${N} descriptor-only images`));
  // The index, rebuilt from the database as `clues reindex` does it: the build time and size.
  const dir = regionIndexDir(cfg);
  const t0 = Date.now();
  // --reuse-index: the index the last run built (its build time is not measured again).
  const kept = REUSE_INDEX ? readRegionMeta(dir) : undefined;
  const meta = kept && kept.seq === (await store.regions.lastSeq()) ? kept : await RegionIndex.rebuild({ dir, model: REGION_MODEL, dims: REGION_DIMS, repo: store.regions });
  const indexBuildS = meta === kept ? NaN : (Date.now() - t0) / 1000;
  const indexMib = statSync(join(dir, REGION_INDEX_FILE)).size / 2 ** 20;
  say(`index: ${meta.images} images, ${meta.vectors} regions, built in ${indexBuildS.toFixed(1)} s, ${indexMib.toFixed(0)} MiB`);

  // A worker (holding the index) and the API, as deployed.
  const taskQueue = `bench-similar-${Date.now()}`;
  const [worker] = await startWorkers(1, taskQueue, { CLUES_DB_NAME: dbName });
  const log = join(cfg.paths.logs, 'bench-similar-api.log');
  const api = spawn(process.execPath, [join(root, 'dist', 'api', 'main.js')], { env: nodeEnv({ ...process.env, CLUES_DB_NAME: dbName, CLUES_TASK_QUEUE: taskQueue }), stdio: ['ignore', 'ignore', openSync(log, 'a')] });
  while (!(await httpAnswers(`${cfg.api.url}/health`))) {
    if (api.exitCode !== null) throw new Error(`the API exited; see ${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const token = await store.tokens.create(`bench-similar-${Date.now()}`, 'analyst');
  const auditBefore = await store.raw('audit').countDocuments({ action: 'search-by-example' });
  const idOf = new Map(set.scenes.gallery.map((g) => [g.path, g.id]));
  const times: number[] = [];
  const ask = async (path: string): Promise<{ ids: string[]; result: SimilarResult }> => {
    const t = performance.now();
    const res = await fetch(`${cfg.api.url}/api/similar?limit=10`, { method: 'POST', body: readFileSync(path), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' } });
    if (!res.ok) throw new Error(`POST /api/similar: ${res.status} ${await res.text()}`);
    const result = (await res.json()) as SimilarResult;
    times.push(performance.now() - t);
    return { ids: result.hits.map((h) => idOf.get(h.path) ?? h.path), result };
  };
  await ask(set.scenes.crops[0]!.path); // warm-up, not counted
  times.length = 0;
  let cropOther = 0, cropOtherN = 0, cropSource = 0, sameAt3 = 0;
  const misses: string[] = [];
  for (const c of set.scenes.crops) {
    const { ids } = await ask(c.path);
    if (ids[0] === c.source) cropSource++;
    else misses.push(`crop ${basename(c.path)} -> ${c.source}: ${ids.slice(0, 3).join(', ')}`);
    if (c.scene !== c.source) {
      cropOtherN++;
      if (ids.slice(0, 10).includes(c.scene)) cropOther++;
      else misses.push(`crop ${basename(c.path)} -> other ${c.scene}`);
    }
  }
  for (const v of set.scenes.viewpoints) {
    const { ids } = await ask(v.path);
    const others = ids.filter((id) => id !== v.self); // a real pair's query is itself stored: its own copy is no answer
    if (others.slice(0, 3).includes(v.scene)) sameAt3++;
    else misses.push(`view ${v.self ?? basename(v.path)} -> ${v.scene}: ${others.slice(0, 3).join(', ')}`);
  }
  const audited = (await store.raw('audit').countDocuments({ action: 'search-by-example' })) - auditBefore;
  const queries = set.scenes.crops.length + set.scenes.viewpoints.length;
  const sorted = [...times].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  const out = {
    images: N, queries,
    crop_other_at10: round(cropOther / cropOtherN), crop_source_at1: round(cropSource / set.scenes.crops.length), same_scene_at3: round(sameAt3 / set.scenes.viewpoints.length),
    p50_ms: Math.round(q(0.5)), p95_ms: Math.round(q(0.95)),
    index_build_s: Number.isNaN(indexBuildS) ? null : round(indexBuildS), index_mib: Math.round(indexMib),
    api_rss_mib: Math.round(peakRss(api.pid!)), worker_rss_mib: Math.round(peakRss(worker!.pid!)),
  };
  say(`${queries} queries (${set.scenes.crops.length} crops, ${set.scenes.viewpoints.length} views), ${audited} audited`);
  for (const m of misses) say(`  missed: ${m}`);
  if (audited !== queries + 1) say(`  audit: ${audited} entries for ${queries + 1} queries`);
  api.kill('SIGTERM');
  worker!.kill('SIGTERM');
  await engine.close();
  await store.close();
  console.log(JSON_OUT ? JSON.stringify(out) : out);
}

const round = (v: number) => Math.round(v * 1000) / 1000;

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

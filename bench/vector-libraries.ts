import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BatchMatches, exactSearch, MetricKind } from 'usearch';
import { fromInt8, toInt8 } from '../core/compact-vectors';
import { UsearchIndex } from '../vectors/usearch-index';
import { root } from './batch-support';

// The ANN libraries compared for the region index, on the same vectors: real region descriptors
// (bench:similar's cache of distractors) perturbed into N, queried with real regions.
//   node dist/bench/vector-libraries.js --library usearch|hnswlib [--vectors N] [--hnswlib <dir of hnswlib-node>]
// hnswlib-node is no dependency (it compiles from source at install): give the folder of an
// installed copy. One library per run, so that each run's peak RSS is its own.

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const LIB = arg('--library') ?? 'usearch';
const N = Number(arg('--vectors') ?? 500_000);
const DIMS = 128;
const QUERIES = 200;
const K = 64;
const cache = join(root, '.data', 'bench-similar', 'descriptors');

function realVectors(): Float32Array[] {
  if (!existsSync(cache)) throw new Error(`${cache} is missing: run npm run bench:similar first`);
  const rows: Float32Array[] = [];
  for (const f of readdirSync(cache)) {
    const c = JSON.parse(readFileSync(join(cache, f), 'utf8')) as { regions: { vectors: string } };
    const b = Buffer.from(c.regions.vectors, 'base64');
    const all = fromInt8(new Int8Array(b.buffer, b.byteOffset, b.byteLength));
    for (let i = 0; i < all.length; i += DIMS) rows.push(all.slice(i, i + DIMS));
  }
  return rows;
}

function perturbed(real: Float32Array[], n: number): Float32Array {
  let s = 11;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out = new Float32Array(n * DIMS);
  for (let i = 0; i < n; i++) {
    const base = real[i % real.length]!;
    let norm = 0;
    for (let d = 0; d < DIMS; d++) {
      const v = base[d]! + 0.04 * (r() - 0.5);
      out[i * DIMS + d] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    // The index holds int8 (x * 127): both libraries get the same rounded numbers.
    out.set(fromInt8(toInt8(out.subarray(i * DIMS, (i + 1) * DIMS).map((x) => x / norm))), i * DIMS);
  }
  return out;
}

const rssMib = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

function main(): void {
  const real = realVectors();
  const data = perturbed(real, N);
  const queries = new Float32Array(QUERIES * DIMS);
  for (let q = 0; q < QUERIES; q++) queries.set(real[(q * 7919) % real.length]!, q * DIMS);
  const base = rssMib();
  const file = join(root, '.data', `vector-libraries-${LIB}.index`);
  let build: number;
  const times: number[] = [];
  const found: bigint[][] = [];
  if (LIB === 'usearch') {
    const idx = new UsearchIndex({ dims: DIMS });
    const t = performance.now();
    for (let i = 0; i < N; i += 10_000) idx.add(Array.from({ length: Math.min(10_000, N - i) }, (_, j) => BigInt(i + j)), data.subarray(i * DIMS, Math.min(N, i + 10_000) * DIMS));
    build = (performance.now() - t) / 1000;
    for (let q = 0; q < QUERIES; q += 20) {
      const t1 = performance.now();
      const res = idx.search(queries.subarray(q * DIMS, (q + 20) * DIMS), K);
      times.push(performance.now() - t1);
      found.push(...res.map((hits) => hits.map((h) => h.key)));
    }
    idx.save(file);
  } else {
    const dir = arg('--hnswlib');
    if (!dir) throw new Error('--hnswlib <folder of an installed hnswlib-node> is needed');
    const { HierarchicalNSW } = require(dir) as { HierarchicalNSW: new (space: string, dims: number) => { initIndex(n: number, m: number, ef: number, seed: number): void; addPoint(v: number[] | Float32Array, label: number): void; setEf(ef: number): void; searchKnn(v: number[] | Float32Array, k: number): { neighbors: number[] }; writeIndexSync(p: string): void } };
    const idx = new HierarchicalNSW('cosine', DIMS);
    idx.initIndex(N, 16, 128, 100);
    const t = performance.now();
    for (let i = 0; i < N; i++) idx.addPoint(Array.from(data.subarray(i * DIMS, (i + 1) * DIMS)), i);
    build = (performance.now() - t) / 1000;
    idx.setEf(96);
    for (let q = 0; q < QUERIES; q += 20) {
      const t1 = performance.now();
      const batch = [];
      for (let j = q; j < q + 20; j++) batch.push(idx.searchKnn(Array.from(queries.subarray(j * DIMS, (j + 1) * DIMS)), K).neighbors.map(BigInt));
      times.push(performance.now() - t1);
      found.push(...batch);
    }
    idx.writeIndexSync(file);
  }
  const rssAfterSearch = rssMib();
  const exact = exactSearch(data, queries, DIMS, K, MetricKind.Cos) as BatchMatches;
  let hit = 0;
  for (let q = 0; q < QUERIES; q++) {
    const truth = new Set(Array.from(exact.keys.subarray(q * K, (q + 1) * K)));
    hit += found[q]!.filter((k) => truth.has(k)).length;
  }
  times.sort((a, b) => a - b);
  const out = {
    library: LIB, vectors: N, dims: DIMS, build_s: Math.round(build * 10) / 10,
    search20_p50_ms: Math.round(times[Math.floor(times.length / 2)]! * 10) / 10, search20_p95_ms: Math.round(times[Math.floor(times.length * 0.95)]! * 10) / 10,
    recall_at64: Math.round((hit / (QUERIES * K)) * 1000) / 1000,
    index_mib: Math.round(statSync(file).size / 2 ** 20), rss_added_mib: Math.round(rssAfterSearch - base),
  };
  rmSync(file, { force: true });
  console.log(JSON.stringify(out));
}

main();

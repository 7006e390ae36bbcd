import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../models/manifest';
import { BatchMatches, Index, MetricKind, ScalarKind } from 'usearch';
import type { VectorHit, VectorIndex, VectorIndexOptions } from './vector-index';

// usearch (Unum, Apache-2.0): HNSW in C++ with prebuilt binaries on npm, vectors held as signed
// bytes (the database's own int8 form), one file to save, load or memory-map. Chosen over hnswlib-node
// by the comparison in docs/similar.md (bench/vector-libraries.ts).

export const USEARCH_VERSION = (JSON.parse(readFileSync(join(packageRoot('usearch'), 'package.json'), 'utf8')) as { version: string }).version;

export class UsearchIndex implements VectorIndex {
  private readonly index: Index;
  readonly dims: number;

  constructor(opts: VectorIndexOptions & { path?: string; view?: boolean }) {
    this.dims = opts.dims;
    this.index = new Index({
      metric: MetricKind.Cos,
      dimensions: opts.dims,
      connectivity: opts.connectivity ?? 16,
      quantization: ScalarKind.I8,
      expansion_add: 128,
      expansion_search: opts.expansion ?? 96,
      multi: false,
    });
    if (opts.path) {
      if (opts.view) this.index.view(opts.path);
      else this.index.load(opts.path);
    }
  }

  add(keys: bigint[], vectors: Float32Array): void {
    if (!keys.length) return;
    if (vectors.length !== keys.length * this.dims) throw new Error(`${vectors.length} numbers for ${keys.length} vectors of ${this.dims}`);
    this.index.add(BigUint64Array.from(keys), vectors);
  }

  remove(keys: bigint[]): number {
    let n = 0;
    for (const k of keys) if (this.index.contains(k)) n += Number(this.index.remove(k));
    return n;
  }

  contains(key: bigint): boolean {
    return this.index.contains(key) as boolean;
  }

  search(queries: Float32Array, k: number): VectorHit[][] {
    const rows = queries.length / this.dims;
    if (!rows || this.index.size() === 0) return Array.from({ length: rows }, () => []);
    const res = this.index.search(queries, k, 0);
    const out: VectorHit[][] = [];
    if (res instanceof BatchMatches) {
      for (let r = 0; r < rows; r++) {
        const hits: VectorHit[] = [];
        for (let i = 0; i < Number(res.counts[r]); i++) hits.push({ key: res.keys[r * res.k + i]!, similarity: 1 - res.distances[r * res.k + i]! });
        out.push(hits);
      }
    } else {
      out.push(Array.from(res.keys, (key, i) => ({ key, similarity: 1 - res.distances[i]! })));
    }
    return out;
  }

  size(): number {
    return Number(this.index.size());
  }

  save(path: string): void {
    this.index.save(path);
  }

  bytes(): number {
    // Graph (connectivity x 2 slots at the base level) and the vectors as bytes, about.
    return this.size() * (this.dims + 2 * 16 * 4 + 16);
  }
}

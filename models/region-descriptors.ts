import { readFileSync } from 'node:fs';
import type { Box } from '../core/clues';
import { toInt8 } from '../core/compact-vectors';

// Region descriptors (R-MAC, Tolias et al. 2016): the backbone's last feature map is max-pooled over
// a grid of overlapping regions at several scales, and over the boxes of the objects and text found
// in the image, each pooled vector reduced by PCA and whitening to a few hundred numbers. A logo
// covering a tenth of a photo is one region among twenty, where the whole-image embedding averages
// it away; a crop of it, described the same way, lands near that region.

/** A feature map as the backbone gives it: channels x height x width (NCHW without the batch). */
export interface FeatureMap {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

/** A region of the map in cells, end exclusive. */
export interface CellBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Region {
  /** Where it is, as fractions of the image (0..1), so that any display size can draw it. */
  box: Box;
  /** `grid` (R-MAC), `object` or `text` (a detected box), or `whole`. */
  kind: RegionKind;
  vector: Int8Array;
}

export type RegionKind = 'whole' | 'grid' | 'object' | 'text';
export const REGION_KINDS: readonly RegionKind[] = ['whole', 'grid', 'object', 'text'];

/** Dimensions of a region descriptor (the projection file must agree), and the model's name. */
export const REGION_DIMS = 128;
export const REGION_MODEL = `rmac-${REGION_DIMS}`;

/** The longest side the region pass sees the image at (aspect kept): 12 x 9 cells for a 4:3 photo. */
export const REGION_SIDE = 384;
/** Scales of the R-MAC grid, as in the paper (l = 1 is left out: the whole image stands for it). */
const SCALES = [2, 3];
/** Detected boxes pooled as regions, at most, the largest first. */
export const MAX_BOX_REGIONS = 5;

/** Input size of the region pass: the image inside REGION_SIDE, each side a multiple of 32. */
export function regionInputSize(width: number, height: number): { width: number; height: number } {
  const k = REGION_SIDE / Math.max(width, height);
  const side = (v: number) => Math.max(64, Math.round((v * k) / 32) * 32);
  return { width: side(width), height: side(height) };
}

/** R-MAC's regions: squares of side 2·min/(l+1) at scale l, about 40% overlap, plus the whole map. */
export function gridRegions(height: number, width: number): CellBox[] {
  const out: CellBox[] = [{ x0: 0, y0: 0, x1: width, y1: height }];
  const short = Math.min(width, height);
  for (const l of SCALES) {
    const side = Math.max(1, Math.round((2 * short) / (l + 1)));
    const starts = (len: number) => {
      if (side >= len) return [0];
      const n = Math.ceil((len - side) / (0.6 * side)) + 1;
      return Array.from({ length: n }, (_, i) => Math.round((i * (len - side)) / (n - 1)));
    };
    for (const y of starts(height)) for (const x of starts(width)) out.push({ x0: x, y0: y, x1: Math.min(width, x + side), y1: Math.min(height, y + side) });
  }
  return out;
}

/** Max-pooling of every channel over the cells of a region (MAC), L2-normalised. */
export function poolRegion(map: FeatureMap, r: CellBox): Float32Array {
  const out = new Float32Array(map.channels);
  const plane = map.height * map.width;
  for (let c = 0; c < map.channels; c++) {
    let m = 0;
    const base = c * plane;
    for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) m = Math.max(m, map.data[base + y * map.width + x]!);
    out[c] = m;
  }
  return normalise(out);
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/**
 * PCA and whitening fitted on benign public photos (scripts/models/fit-region-pca.ts); the
 * whitening is folded into the components. File: 'RPCA', input and output sizes (u32), the mean,
 * then the components row by row (float32).
 */
export class RegionProjection {
  private constructor(
    readonly inputDims: number,
    readonly dims: number,
    private readonly mean: Float32Array,
    private readonly components: Float32Array,
  ) {}

  static read(path: string): RegionProjection {
    return RegionProjection.parse(readFileSync(path));
  }

  static parse(buf: Buffer): RegionProjection {
    if (buf.toString('ascii', 0, 4) !== 'RPCA') throw new Error('not a region projection file');
    const inputDims = buf.readUInt32LE(4);
    const dims = buf.readUInt32LE(8);
    const floats = new Float32Array(buf.buffer.slice(buf.byteOffset + 12, buf.byteOffset + 12 + 4 * inputDims * (dims + 1)));
    if (floats.length !== inputDims * (dims + 1)) throw new Error('region projection file is truncated');
    return new RegionProjection(inputDims, dims, floats.subarray(0, inputDims), floats.subarray(inputDims));
  }

  static encode(mean: Float32Array, components: Float32Array, dims: number): Buffer {
    const head = Buffer.alloc(12);
    head.write('RPCA', 0, 'ascii');
    head.writeUInt32LE(mean.length, 4);
    head.writeUInt32LE(dims, 8);
    return Buffer.concat([head, Buffer.from(mean.buffer, mean.byteOffset, mean.byteLength), Buffer.from(components.buffer, components.byteOffset, components.byteLength)]);
  }

  /** Centred, projected, whitened and L2-normalised. */
  project(v: Float32Array): Float32Array {
    const out = new Float32Array(this.dims);
    const n = this.inputDims;
    const centred = new Float32Array(n);
    for (let i = 0; i < n; i++) centred[i] = v[i]! - this.mean[i]!;
    for (let d = 0; d < this.dims; d++) {
      let s = 0;
      const row = d * n;
      for (let i = 0; i < n; i++) s += this.components[row + i]! * centred[i]!;
      out[d] = s;
    }
    return normalise(out);
  }
}

/** Cells a box (fractions of the image) covers, at least one. */
export function cellsOf(box: Box, height: number, width: number): CellBox {
  const x0 = Math.max(0, Math.min(width - 1, Math.floor(box.x * width)));
  const y0 = Math.max(0, Math.min(height - 1, Math.floor(box.y * height)));
  return { x0, y0, x1: Math.max(x0 + 1, Math.min(width, Math.ceil((box.x + box.w) * width))), y1: Math.max(y0 + 1, Math.min(height, Math.ceil((box.y + box.h) * height))) };
}

const toBox = (r: CellBox, height: number, width: number): Box => ({
  x: round4(r.x0 / width), y: round4(r.y0 / height), w: round4((r.x1 - r.x0) / width), h: round4((r.y1 - r.y0) / height),
});
const round4 = (v: number) => Math.round(v * 10000) / 10000;

/**
 * The regions of one image: the whole map, the R-MAC grid, and the detected boxes (fractions of
 * the image) that cover more than one cell's worth and are not already a grid region.
 */
export function describeRegions(map: FeatureMap, projection: RegionProjection, boxes: { box: Box; kind: 'object' | 'text' }[] = []): Region[] {
  if (map.channels !== projection.inputDims) throw new Error(`feature map has ${map.channels} channels, the projection expects ${projection.inputDims}`);
  const grid = gridRegions(map.height, map.width);
  const seen = new Set(grid.map((g) => `${g.x0},${g.y0},${g.x1},${g.y1}`));
  const out: Region[] = grid.map((r, i) => ({ box: toBox(r, map.height, map.width), kind: i === 0 ? 'whole' : 'grid', vector: toInt8(projection.project(poolRegion(map, r))) }));
  const picked = [...boxes].sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h);
  for (const b of picked) {
    if (out.length >= grid.length + MAX_BOX_REGIONS) break;
    const cells = cellsOf(b.box, map.height, map.width);
    const key = `${cells.x0},${cells.y0},${cells.x1},${cells.y1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ box: b.box, kind: b.kind, vector: toInt8(projection.project(poolRegion(map, cells))) });
  }
  return out;
}

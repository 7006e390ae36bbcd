import type { Config } from '../core/config';
import type { ImageInfo } from '../core/clues';
import sharp from 'sharp';
import { describeFaces } from '../models/face-descriptors';
import { scanFaces } from '../models/face-scan';
import { fileSha256 } from '../models/file-hashes';
import { cropsOf, decodeGray, decodeImage, framePng, grayOf, resizeRgb, scaleRgb, type ImageSource } from '../models/image-loader';
import { decodeFeatures, encodeFeatures, type FeatureMatch } from '../models/local-features';
import type { ObjectDetector } from '../models/object-detector';
import type { PdqResult } from '../models/pdq';
import { pdqFromRgb } from '../models/pdq-image';
import { loadModels, type Maybe, type Models } from '../models/registry';
import type { SceneLabel } from '../models/scene-classifier';
import { nonMaxSuppression } from '../models/nms';
import type { Region } from '../models/region-descriptors';
import { mergeLines } from '../models/text-merge';
import { moveBox, readTiled, type InputLimits } from '../models/tiles';
import type { Available, DescribeResult, EngineModels, FacesResult, ImageEngine, ImageInput, ObjectsResult, QueryResult, RegionBox, RegionsResult, TextResult } from './image-engine';
import { PixelCache, type DecodedImage } from './pixel-cache';

/** A stage keeps at most this many lines: a page of small print is not a reason to store megabytes. */
const MAX_LINES = 2000;

/**
 * CenterNet sees 512 x 512: an image more elongated than 2:1 (a scrolling screenshot) is cut
 * into tiles rather than squashed until nothing in it is recognisable.
 */
const DETECTOR_LIMITS: InputLimits = { maxSide: 100_000, maxAspect: 2, minSide: 8, maxTiles: 32 };

const available = <T extends { model: { name: string; version: string } }>(m: Maybe<T>): Available => (m.ok ? { ok: true, model: m.value.model } : { ok: false, reason: m.reason });

function need<T>(m: Maybe<T>, what: string): T {
  if (!m.ok) throw new Error(`no ${what}: ${m.reason}`);
  return m.value;
}

function source(src: ImageInput): ImageSource {
  if ('path' in src) return src.path;
  return Buffer.from(src.bytes.buffer, src.bytes.byteOffset, src.bytes.byteLength);
}

export interface LocalEngineOptions {
  maxPixels: number;
  /** Decoded pixels of one image are kept at most this large (larger images are reduced). */
  maxDecodedPixels: number;
  /** Bytes of decoded pixels kept between the stages of an image. */
  cacheBytes: number;
  /**
   * The cascade: the readers after the first (tesseract, built for documents) run only where the
   * first found a document-like density of text. Their recorded version says so.
   */
  ocrCascade: boolean;
}

/** A page of text, a screenshot, a receipt: many lines, or lines covering much of the image. */
export function documentLike(lines: { box: { w: number; h: number } }[], width: number, height: number): boolean {
  const area = lines.reduce((a, l) => a + l.box.w * l.box.h, 0);
  return lines.length >= DOCUMENT_LINES || area >= DOCUMENT_AREA * width * height;
}
/**
 * Chosen on `npm run eval` (docs/batch.md): signs have one to four lines. PP-OCRv6's boxes are
 * taller than v4's (a sign across a small photo covers 11-13% of it), hence 15% of the image.
 */
const DOCUMENT_LINES = 5;
const DOCUMENT_AREA = 0.15;
export const CASCADE_SUFFIX = '+documents-only';

/**
 * The models of this process, run directly: what the engine process serves, and what benchmarks
 * time. Each image is decoded once (every scanline, which is also what proves it sound) and its
 * pixels are kept by SHA-256 for the next stages; every engine reads those pixels, resized or cut
 * as it needs, never a re-encoded copy.
 */
export class LocalEngine implements ImageEngine {
  readonly models: EngineModels;
  private readonly cache: PixelCache;
  /**
   * Evidence is decoded one file at a time: libvips keeps one error buffer and one warning queue
   * per process, so two decodes at once could take each other's truncation warning (a damaged
   * file passing, a sound one failing, or a reason naming the other file).
   */
  private decoding: Promise<unknown> = Promise.resolve();

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.decoding.then(work, work);
    this.decoding = run.catch(() => undefined);
    return run;
  }

  constructor(
    private readonly m: Omit<Models, 'close'> & Partial<Pick<Models, 'close'>>,
    private readonly opts: LocalEngineOptions,
  ) {
    this.cache = new PixelCache(opts.cacheBytes);
    this.models = {
      objects: available(m.detector),
      text: m.textReaders.map(available).map((a, i) => (a.ok && i > 0 && opts.ocrCascade ? { ok: true, model: { ...a.model, version: `${a.model.version}${CASCADE_SUFFIX}` } } : a)),
      embedder: available(m.embedder),
      matcher: available(m.matcher),
      scene: available(m.scene),
      faces: available(m.faces),
      faceDescriber: available(m.faceDescriber),
      regions: available(m.regions),
    };
  }

  static async create(cfg: Config): Promise<LocalEngine> {
    sharp.concurrency(cfg.engine.vipsThreads);
    return new LocalEngine(await loadModels(cfg), { maxPixels: cfg.limits.maxPixels, maxDecodedPixels: cfg.engine.maxDecodedPixels, cacheBytes: cfg.engine.cacheBytes, ocrCascade: cfg.ocr.cascade });
  }

  /** The image's decoded pixels: from the cache when this engine decoded it already. */
  private async pixels(src: ImageInput): Promise<DecodedImage & { info: ImageInfo }> {
    const key = src.sha256;
    const hit = key ? this.cache.get(key) : undefined;
    if (hit && 'info' in hit) return hit as DecodedImage & { info: ImageInfo };
    const { info, rgb, scale } = await this.serially(() => decodeImage(source(src), this.opts.maxPixels, this.opts.maxDecodedPixels));
    const decoded = { ...rgb, original: { width: info.width, height: info.height }, scale, info };
    if (key) this.cache.set(key, decoded);
    return decoded;
  }

  /** Decodes the whole image (kept for the stages that follow) and reports what it is. */
  async probe(src: ImageInput): Promise<ImageInfo> {
    return (await this.pixels(src)).info;
  }

  async pdq(src: ImageInput): Promise<PdqResult> {
    return pdqFromRgb(await this.pixels(src));
  }

  async objects(src: ImageInput, cropPadding: number): Promise<ObjectsResult> {
    const detector = need(this.m.detector, 'object detector');
    const image = await this.pixels(src);
    const { found, note } = await detectTiled(detector, image);
    // Crops are cut from the decoded pixels; boxes go back to original pixels.
    const crops = await cropsOf(image, found.map((f) => moveBox(f.box, 0, 0, 1 / image.scale)), cropPadding);
    return { found, crops: crops.map((c) => ({ box: moveBox(c.box, 0, 0, image.scale), jpeg: c.jpeg })), ...(note ? { note } : {}) };
  }

  async text(src: ImageInput): Promise<TextResult> {
    const readers = this.m.textReaders.flatMap((r, i) => (r.ok ? [{ reader: r.value, model: (this.models.text[i] as Extract<Available, { ok: true }>).model }] : []));
    if (readers.length === 0) throw new Error('no OCR engine is installed');
    const image = await this.pixels(src);
    const notes: string[] = [];
    const failures: string[] = [];
    const read = async ({ reader, model }: (typeof readers)[number]) => {
      try {
        const res = await readTiled(image, reader.limits, (tile) => reader.read(tile), (line, dx, dy, k) => ({
          ...line,
          box: moveBox(line.box, dx, dy, k * image.scale),
          words: line.words.map((w) => ({ ...w, box: moveBox(w.box, dx, dy, k * image.scale) })),
        }), scaleRgb);
        if (res.note) notes.push(`${model.name}: ${res.note}`);
        return { model, lines: res.items };
      } catch (err) {
        failures.push(`${model.name}: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      }
    };
    let runs;
    if (this.opts.ocrCascade && readers.length > 1) {
      const first = await read(readers[0]!);
      const lines = first?.lines ?? [];
      const go = !first || documentLike(lines, image.original.width, image.original.height);
      if (!go) notes.push(`${readers.slice(1).map((r) => r.model.name).join(', ')} not run: ${lines.length} line(s) read, not a document`);
      runs = [first, ...(go ? await Promise.all(readers.slice(1).map(read)) : [])];
    } else {
      runs = await Promise.all(readers.map(read));
    }
    const ok = runs.filter((x) => x !== null);
    if (ok.length === 0) throw new Error(`every OCR engine failed: ${failures.join('; ')}`);
    const failed = new Set(failures.map((f) => f.slice(0, f.indexOf(':'))));
    return {
      lines: mergeLines(ok.map((x) => ({ engine: x.model.name, lines: x.lines }))).slice(0, MAX_LINES),
      // An engine the cascade did not need counts as run: the stage is complete without it.
      engines: readers.map((r) => r.model).filter((m) => !failed.has(m.name)),
      failures,
      notes,
    };
  }

  async describe(src: ImageInput): Promise<DescribeResult> {
    const embedder = need(this.m.embedder, 'image embedder');
    const matcher = need(this.m.matcher, 'local-feature matcher');
    const image = await this.pixels(src);
    const [rgb, gray] = await Promise.all([resizeRgb(image, embedder.inputSide), grayOf(image, matcher.inputSide)]);
    const embedding = await embedder.embed({ ...rgb, channels: 3, scale: image.original.width / rgb.width });
    const features = matcher.extract(gray);
    return { embedding: embedding.map((x) => Math.round(x * 1e6) / 1e6), features: encodeFeatures(features), keypoints: features.points.length / 2 };
  }

  async scene(src: ImageInput, objects?: { label: string; score: number }[]): Promise<SceneLabel[]> {
    const classifier = need(this.m.scene, 'scene classifier');
    const image = await this.pixels(src);
    return classifier.classify(await this.atSide(image, classifier.inputSide), objects);
  }

  async faces(src: ImageInput): Promise<FacesResult> {
    const detector = need(this.m.faces, 'face detector');
    const image = await this.pixels(src);
    const faces = await scanFaces(detector, (side) => this.atSide(image, side), image.original);
    // Without a describer, faces are still found (boxes, screening), none is matchable.
    if (!this.m.faceDescriber.ok) return { faces: faces.map((f) => ({ ...f, quality: { ok: false, reasons: [`no face describer: ${this.m.faceDescriber.ok ? '' : this.m.faceDescriber.reason}`], side: Math.min(f.box.w, f.box.h), yaw: 0, sharpness: 0, lowerFace: 0 } })) };
    return { faces: await describeFaces(this.m.faceDescriber.value, image, faces) };
  }

  async regions(src: ImageInput, boxes: RegionBox[]): Promise<RegionsResult> {
    const describer = need(this.m.regions, 'region describer');
    const image = await this.pixels(src);
    const { width, height } = image.original;
    const fractions = boxes.map((b) => ({ kind: b.kind, box: { x: b.box.x / width, y: b.box.y / height, w: b.box.w / width, h: b.box.h / height } }));
    return regionsResult(describer.dims, await describer.describe({ data: image.data, width: image.width, height: image.height, channels: 3, scale: image.scale }, fractions));
  }

  async query(src: ImageInput): Promise<QueryResult> {
    const sha256 = src.sha256 ?? (await fileSha256(source(src)));
    const keyed: ImageInput = { ...src, sha256 };
    await this.probe(keyed); // a clear InvalidImageError for a bad query image
    const [pdq, described] = await Promise.all([this.pdq(keyed), this.describe(keyed)]);
    const regions = this.m.regions.ok ? await this.regions(keyed, []) : undefined;
    return { sha256, pdq, ...described, ...(regions ? { regions } : {}) };
  }

  async frames(src: ImageInput, pages: number[]): Promise<{ page: number; png: Uint8Array }[]> {
    const s = source(src);
    const out = [];
    for (const page of pages) out.push({ page, png: await this.serially(() => framePng(s, this.opts.maxPixels, page)) });
    return out;
  }

  /** Decoded pixels at most `side` on their longest side, with their scale to original pixels. */
  private async atSide(image: DecodedImage, side: number) {
    const rgb = await resizeRgb(image, side);
    return { ...rgb, channels: 3 as const, scale: image.original.width / rgb.width };
  }

  async match(query: Uint8Array, candidates: Uint8Array[]): Promise<FeatureMatch[]> {
    const matcher = need(this.m.matcher, 'local-feature matcher');
    const q = decodeFeatures(Buffer.from(query.buffer, query.byteOffset, query.byteLength), 'query');
    return candidates.map((c, i) => matcher.match(q, decodeFeatures(Buffer.from(c.buffer, c.byteOffset, c.byteLength), `candidate ${i}`)));
  }

  async matchDense(query: Uint8Array, candidates: ImageInput[]): Promise<FeatureMatch[]> {
    const matcher = need(this.m.matcher, 'local-feature matcher');
    const q = decodeFeatures(Buffer.from(query.buffer, query.byteOffset, query.byteLength), 'query');
    const out: FeatureMatch[] = [];
    // Read from the file, not kept: these are stored images, not the one being processed.
    for (const c of candidates) out.push(matcher.match(q, matcher.extractDense(await this.serially(() => decodeGray(source(c), this.opts.maxPixels, matcher.dense.inputSide)))));
    return out;
  }

  async close(): Promise<void> {
    await this.m.close?.();
  }
}

function regionsResult(dims: number, regions: Region[]): RegionsResult {
  const vectors = new Int8Array(regions.length * dims);
  regions.forEach((r, i) => vectors.set(r.vector, i * dims));
  return { dims, kinds: regions.map((r) => r.kind[0]).join(''), boxes: regions.map((r) => r.box), vectors };
}

/** Objects in original pixels; elongated images are read in tiles (see DETECTOR_LIMITS). */
async function detectTiled(detector: ObjectDetector, image: DecodedImage): Promise<{ found: ObjectsResult['found']; note?: string }> {
  const elongated = Math.max(image.width, image.height) > DETECTOR_LIMITS.maxAspect * Math.min(image.width, image.height);
  // The detector's size; an elongated image keeps its short side at that size.
  const small = await resizeRgb(image, detector.inputSide, elongated ? 'outside' : 'inside');
  const k = (image.width / small.width) * image.scale;
  const res = await readTiled(small, DETECTOR_LIMITS, (tile) => detector.detect({ ...tile, channels: 3, scale: 1 }), (d, dx, dy, s) => ({ ...d, box: moveBox(d.box, dx, dy, s) }), scaleRgb);
  // Tiles overlap: one object seen whole in two tiles is one object.
  const merged = res.tiles > 1 ? nonMaxSuppression(res.items, 0.5) : res.items;
  const found = merged.map((d) => ({ ...d, box: moveBox(d.box, 0, 0, k) }));
  return { found, ...(res.note ? { note: res.note } : {}) };
}

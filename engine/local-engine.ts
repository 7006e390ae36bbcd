import type { Config } from '../core/config';
import type { ImageInfo } from '../core/clues';
import { scanFaces } from '../models/face-scan';
import { fileSha256 } from '../models/file-hashes';
import { cropImages, decodeGray, decodeRgb, orientedSize, probeImage, scaleRgb, type ImageSource } from '../models/image-loader';
import { decodeFeatures, encodeFeatures, type FeatureMatch } from '../models/local-features';
import type { ObjectDetector } from '../models/object-detector';
import type { PdqResult } from '../models/pdq';
import { pdqFromFile } from '../models/pdq-image';
import { loadModels, type Maybe, type Models } from '../models/registry';
import type { SceneLabel } from '../models/scene-classifier';
import { mergeLines } from '../models/text-merge';
import { moveBox, readTiled, type InputLimits } from '../models/tiles';
import type { Available, DescribeResult, EngineModels, FacesResult, ImageEngine, ImageInput, ObjectsResult, QueryResult, TextResult } from './image-engine';

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

/** The models of this process, run directly: what the engine process serves, and what benchmarks time. */
export class LocalEngine implements ImageEngine {
  readonly models: EngineModels;

  constructor(
    private readonly m: Omit<Models, 'close'> & Partial<Pick<Models, 'close'>>,
    private readonly maxPixels: number,
  ) {
    this.models = {
      objects: available(m.detector),
      text: m.textReaders.map(available),
      embedder: available(m.embedder),
      matcher: available(m.matcher),
      scene: available(m.scene),
      faces: available(m.faces),
    };
  }

  static async create(cfg: Config): Promise<LocalEngine> {
    return new LocalEngine(await loadModels(cfg), cfg.limits.maxPixels);
  }

  probe(src: ImageInput): Promise<ImageInfo> {
    return probeImage(source(src), this.maxPixels);
  }

  pdq(src: ImageInput): Promise<PdqResult> {
    return pdqFromFile(source(src), this.maxPixels);
  }

  async objects(src: ImageInput, cropPadding: number): Promise<ObjectsResult> {
    const detector = need(this.m.detector, 'object detector');
    const s = source(src);
    const { found, note } = await detectTiled(detector, s, this.maxPixels);
    const crops = await cropImages(s, this.maxPixels, found.map((f) => f.box), cropPadding);
    return { found, crops, ...(note ? { note } : {}) };
  }

  async text(src: ImageInput): Promise<TextResult> {
    const readers = this.m.textReaders.flatMap((r) => (r.ok ? [r.value] : []));
    if (readers.length === 0) throw new Error('no OCR engine is installed');
    const image = await decodeRgb(source(src), this.maxPixels);
    const notes: string[] = [];
    const failures: string[] = [];
    const runs = await Promise.all(
      readers.map(async (r) => {
        try {
          const res = await readTiled(image, r.limits, (tile) => r.read(tile), (line, dx, dy, k) => ({
            ...line,
            box: moveBox(line.box, dx, dy, k),
            words: line.words.map((w) => ({ ...w, box: moveBox(w.box, dx, dy, k) })),
          }), scaleRgb);
          if (res.note) notes.push(`${r.model.name}: ${res.note}`);
          return { reader: r, lines: res.items };
        } catch (err) {
          failures.push(`${r.model.name}: ${err instanceof Error ? err.message : String(err)}`);
          return null;
        }
      }),
    );
    const ok = runs.filter((x) => x !== null);
    if (ok.length === 0) throw new Error(`every OCR engine failed: ${failures.join('; ')}`);
    return {
      lines: mergeLines(ok.map((x) => ({ engine: x.reader.model.name, lines: x.lines }))).slice(0, MAX_LINES),
      engines: ok.map((x) => x.reader.model),
      failures,
      notes,
    };
  }

  async describe(src: ImageInput): Promise<DescribeResult> {
    const embedder = need(this.m.embedder, 'image embedder');
    const matcher = need(this.m.matcher, 'local-feature matcher');
    const s = source(src);
    const [rgb, gray] = await Promise.all([decodeRgb(s, this.maxPixels, embedder.inputSide), decodeGray(s, this.maxPixels, matcher.inputSide)]);
    const embedding = await embedder.embed(rgb);
    const features = matcher.extract(gray);
    return { embedding: embedding.map((x) => Math.round(x * 1e6) / 1e6), features: encodeFeatures(features), keypoints: features.points.length / 2 };
  }

  async scene(src: ImageInput, objects?: { label: string; score: number }[]): Promise<SceneLabel[]> {
    const classifier = need(this.m.scene, 'scene classifier');
    return classifier.classify(await decodeRgb(source(src), this.maxPixels, classifier.inputSide), objects);
  }

  async faces(src: ImageInput): Promise<FacesResult> {
    return { faces: await scanFaces(need(this.m.faces, 'face detector'), source(src), this.maxPixels) };
  }

  async query(src: ImageInput): Promise<QueryResult> {
    const s = source(src);
    await this.probe(src); // a clear InvalidImageError for a bad query image
    const [sha256, pdq, described] = await Promise.all([fileSha256(s), this.pdq(src), this.describe(src)]);
    return { sha256, pdq, ...described };
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
    for (const c of candidates) out.push(matcher.match(q, matcher.extractDense(await decodeGray(source(c), this.maxPixels, matcher.dense.inputSide))));
    return out;
  }

  async close(): Promise<void> {
    await this.m.close?.();
  }
}

/** Objects in oriented pixels; elongated images are read in tiles (see DETECTOR_LIMITS). */
async function detectTiled(detector: ObjectDetector, src: ImageSource, maxPixels: number): Promise<{ found: ObjectsResult['found']; note?: string }> {
  const { width, height } = await orientedSize(src, maxPixels);
  const elongated = Math.max(width, height) > DETECTOR_LIMITS.maxAspect * Math.min(width, height);
  // Shrink-on-load to the detector's size; an elongated image keeps its short side at that size.
  const image = await decodeRgb(src, maxPixels, detector.inputSide, elongated ? 'outside' : 'inside');
  const res = await readTiled(image, DETECTOR_LIMITS, (tile) => detector.detect({ ...tile, channels: 3, scale: 1 }), (d, dx, dy, k) => ({ ...d, box: moveBox(d.box, dx, dy, k) }), scaleRgb);
  const found = res.items.map((d) => ({ ...d, box: moveBox(d.box, 0, 0, image.scale) }));
  return { found, ...(res.note ? { note: res.note } : {}) };
}

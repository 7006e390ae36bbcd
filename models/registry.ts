import type { Config } from '../core/config';
import { CenterNetDetector } from './centernet-detector';
import type { ObjectDetector } from './object-detector';
import type { SceneClassifier } from './scene-classifier';
import { TesseractTextReader } from './tesseract-text-reader';
import type { TextReader } from './text-reader';

/** A model, or the honest reason it is absent: stages record `unavailable`, never invented output. */
export type Maybe<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface Models {
  detector: Maybe<ObjectDetector>;
  textReader: Maybe<TextReader>;
  scene: Maybe<SceneClassifier>;
  close(): Promise<void>;
}

async function attempt<T>(load: () => Promise<T>): Promise<Maybe<T>> {
  try {
    return { ok: true, value: await load() };
  } catch (err) {
    return { ok: false, reason: `model failed to load: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Loads every model this installation has, from local files only. */
export async function loadModels(cfg: Config): Promise<Models> {
  const textReader = await attempt(() => TesseractTextReader.create(cfg.ocr.langs, cfg.worker.cpuConcurrency));
  const detector = await attempt<ObjectDetector>(() => CenterNetDetector.create());
  return {
    detector,
    textReader,
    scene: { ok: false, reason: 'no scene-classification model is installed yet (planned: a Places365-style classifier from a registry package)' },
    async close() {
      if (textReader.ok) await textReader.value.close();
    },
  };
}

import type { ImageRef, StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import { decodeRgb } from '../models/image-loader';
import type { Maybe } from '../models/registry';
import type { SceneClassifier } from '../models/scene-classifier';
import { sceneFromObjects, SCENE_RULES_MODEL } from '../models/scene-from-objects';
import type { BlobStore } from '../storage/blob-store';
import { imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

export interface ClassifySceneInput {
  ref: ImageRef;
  /** The objects stage's detections, for the rule-based fallback. */
  objects: { label: string; score: number }[];
}

/** The kind of place: from a scene model when one is installed, otherwise derived from objects. */
export function classifyScene(classifier: Maybe<SceneClassifier>, maxPixels: number, blobs: BlobStore) {
  return ({ ref, objects }: ClassifySceneInput): Promise<StageOutcome> =>
    asActivityError(async () => {
      const started = Date.now();
      if (!classifier.ok) {
        const labels = sceneFromObjects(objects);
        return {
          stage: 'scene',
          status: 'ok',
          model: SCENE_RULES_MODEL,
          reason: `derived from detected objects (${classifier.reason})`,
          clues: labels.map((l) => ({ type: 'scene', value: l.label, tokens: uniqueTokens(l.label), score: l.score, detail: { method: 'derived from objects', evidence: l.evidence } })),
          durationMs: Date.now() - started,
        };
      }
      const image = await decodeRgb(await imageSource(blobs, ref.path), maxPixels, classifier.value.inputSide);
      const labels = await withHeartbeat(() => classifier.value.classify(image));
      return {
        stage: 'scene',
        status: 'ok',
        model: classifier.value.model,
        clues: labels.map((l) => ({ type: 'scene', value: l.label, tokens: uniqueTokens(l.label), score: l.score })),
        durationMs: Date.now() - started,
      };
    });
}

import type { ImageRef, StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import type { ImageEngine } from '../engine/image-engine';
import { sceneFromObjects, SCENE_RULES_MODEL } from '../models/scene-from-objects';
import type { BlobStore } from '../storage/blob-store';
import { engineInput, imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

export interface ClassifySceneInput {
  ref: ImageRef;
  /** The objects stage's detections, for the rule-based fallback. */
  objects: { label: string; score: number }[];
}

/** The kind of place: from a scene model when one is installed, otherwise derived from objects. */
export function classifyScene(engine: ImageEngine, blobs: BlobStore) {
  return ({ ref, objects }: ClassifySceneInput): Promise<StageOutcome> =>
    asActivityError(async () => {
      const started = Date.now();
      const classifier = engine.models.scene;
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
      const src = await imageSource(blobs, ref.path);
      const labels = await withHeartbeat(() => engine.scene(engineInput(src)));
      return {
        stage: 'scene',
        status: 'ok',
        model: classifier.model,
        clues: labels.map((l) => ({ type: 'scene', value: l.label, tokens: uniqueTokens(l.label), score: l.score })),
        durationMs: Date.now() - started,
      };
    });
}

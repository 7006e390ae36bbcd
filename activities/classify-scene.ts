import type { ImageRef, StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import type { ImageEngine } from '../engine/image-engine';
import { sceneFromObjects, SCENE_RULES_MODEL } from '../models/scene-from-objects';
import type { BlobStore } from '../blobs/blob-store';
import { engineInput, imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/** The image and the objects stage's outcome (workflows before the stage registry sent the detections). */
export type ClassifySceneInput = (ImageRef & { inputs: { objects?: StageOutcome } }) | { ref: ImageRef; objects: { label: string; score: number }[] };

/** The kind of place: from a scene model when one is installed, otherwise derived from objects. */
export function classifyScene(engine: ImageEngine, blobs: BlobStore) {
  return (input: ClassifySceneInput): Promise<StageOutcome> =>
    asActivityError(async () => {
      const ref: ImageRef = 'ref' in input ? input.ref : { path: input.path, sha256: input.sha256 };
      const objects = 'ref' in input ? input.objects : (input.inputs.objects?.clues ?? []).map((c) => ({ label: c.value, score: c.score ?? 0 }));
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
      const labels = await withHeartbeat(() => engine.scene(engineInput(src, ref.sha256), objects));
      return {
        stage: 'scene',
        status: 'ok',
        model: classifier.model,
        clues: labels.map((l) => ({ type: 'scene', value: l.label, tokens: uniqueTokens(l.label), score: l.score })),
        durationMs: Date.now() - started,
      };
    });
}

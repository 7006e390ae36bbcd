import type { ImageRef, StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import { decodeRgb } from '../models/image-loader';
import type { Maybe } from '../models/registry';
import type { SceneClassifier } from '../models/scene-classifier';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/** The kind of place the image shows. */
export function classifyScene(classifier: Maybe<SceneClassifier>, maxPixels: number) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      if (!classifier.ok) return { stage: 'scene', status: 'unavailable', reason: classifier.reason, clues: [] };
      const started = Date.now();
      const image = await decodeRgb(ref.path, maxPixels, classifier.value.inputSide);
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

import type { ImageRef, StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import { decodeRgb } from '../models/image-loader';
import type { ObjectDetector } from '../models/object-detector';
import type { Maybe } from '../models/registry';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/** Objects with boxes and scores, in the oriented image's pixel coordinates. */
export function detectObjects(detector: Maybe<ObjectDetector>, maxPixels: number) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      if (!detector.ok) return { stage: 'objects', status: 'unavailable', reason: detector.reason, clues: [] };
      const started = Date.now();
      const image = await decodeRgb(ref.path, maxPixels, detector.value.inputSide);
      const found = await withHeartbeat(() => detector.value.detect(image));
      return {
        stage: 'objects',
        status: 'ok',
        model: detector.value.model,
        clues: found.map((d) => ({ type: 'object', value: d.label, tokens: uniqueTokens(d.label), box: d.box, score: d.score })),
        durationMs: Date.now() - started,
      };
    });
}

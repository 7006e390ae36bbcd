import type { ClueInput, ImageRef, StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import type { ImageEngine } from '../engine/image-engine';
import type { BlobStore } from '../blobs/blob-store';
import { cropKey } from '../blobs/keys';
import { engineInput, imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/** Crops keep some context around the object: it helps a volunteer recognise it. */
const CROP_PADDING = 0.1;

/**
 * Objects with boxes and scores in the oriented image's pixels, each with a padded crop stored
 * under `crops/` (named by content and box, so a re-run rewrites the same blob).
 */
export function detectObjects(engine: ImageEngine, blobs: BlobStore) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      const available = engine.models.objects;
      if (!available.ok) return { stage: 'objects', status: 'unavailable', reason: available.reason, clues: [] };
      const started = Date.now();
      const src = await imageSource(blobs, ref.path);
      const { found, crops, note } = await withHeartbeat(() => engine.objects(engineInput(src, ref.sha256), CROP_PADDING));
      const keys = found.map((d) => cropKey(ref.sha256, d.label, d.box));
      await Promise.all(crops.map((c, i) => blobs.put(keys[i]!, Buffer.from(c.jpeg), 'image/jpeg')));
      const clues: ClueInput[] = found.map((d, i) => ({
        type: 'object',
        value: d.label,
        tokens: uniqueTokens(d.label),
        box: d.box,
        score: d.score,
        detail: { crop: keys[i], cropBox: crops[i]!.box },
      }));
      return { stage: 'objects', status: 'ok', model: available.model, clues, ...(note ? { reason: note } : {}), durationMs: Date.now() - started };
    });
}

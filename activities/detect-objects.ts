import type { ClueInput, ImageRef, StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import { cropImages, decodeRgb } from '../models/image-loader';
import type { ObjectDetector } from '../models/object-detector';
import type { Maybe } from '../models/registry';
import type { BlobStore } from '../storage/blob-store';
import { imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/** Crops keep some context around the object: it helps a volunteer recognise it. */
const CROP_PADDING = 0.1;

/**
 * Objects with boxes and scores in the oriented image's pixels, each with a padded crop stored
 * under `crops/` (named by content and box, so a re-run rewrites the same blob).
 */
export function detectObjects(detector: Maybe<ObjectDetector>, maxPixels: number, blobs: BlobStore) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      if (!detector.ok) return { stage: 'objects', status: 'unavailable', reason: detector.reason, clues: [] };
      const started = Date.now();
      const src = await imageSource(blobs, ref.path);
      const image = await decodeRgb(src, maxPixels, detector.value.inputSide);
      const found = await withHeartbeat(() => detector.value.detect(image));
      const placed = found.map((d) => {
        const box = { x: Math.round(d.box.x * image.scale), y: Math.round(d.box.y * image.scale), w: Math.round(d.box.w * image.scale), h: Math.round(d.box.h * image.scale) };
        const key = `crops/${ref.sha256.slice(0, 2)}/${ref.sha256}-${d.label.replace(/\W+/g, '_')}-${box.x}-${box.y}-${box.w}-${box.h}.jpg`;
        return { d, box, key };
      });
      const crops = await cropImages(src, maxPixels, placed.map((f) => f.box), CROP_PADDING);
      await Promise.all(crops.map((c, i) => blobs.put(placed[i]!.key, c.jpeg, 'image/jpeg')));
      const clues: ClueInput[] = placed.map(({ d, box, key }, i) => ({
        type: 'object',
        value: d.label,
        tokens: uniqueTokens(d.label),
        box,
        score: d.score,
        detail: { crop: key, cropBox: crops[i]!.box },
      }));
      return { stage: 'objects', status: 'ok', model: detector.value.model, clues, durationMs: Date.now() - started };
    });
}

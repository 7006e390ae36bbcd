import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClueInput, ImageRef, StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import { decodeRgb, writeCrops } from '../models/image-loader';
import type { ObjectDetector } from '../models/object-detector';
import type { Maybe } from '../models/registry';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/** Crops keep some context around the object: it helps a volunteer recognise it. */
const CROP_PADDING = 0.1;

/**
 * Objects with boxes and scores in the oriented image's pixels, each with a padded crop file
 * under `<data>/crops` (named by content and box, so a re-run rewrites the same file).
 */
export function detectObjects(detector: Maybe<ObjectDetector>, maxPixels: number, dataDir: string) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      if (!detector.ok) return { stage: 'objects', status: 'unavailable', reason: detector.reason, clues: [] };
      const started = Date.now();
      const image = await decodeRgb(ref.path, maxPixels, detector.value.inputSide);
      const found = await withHeartbeat(() => detector.value.detect(image));
      const dir = join(dataDir, 'crops', ref.sha256.slice(0, 2));
      await mkdir(dir, { recursive: true });
      const placed = found.map((d) => {
        const box = { x: Math.round(d.box.x * image.scale), y: Math.round(d.box.y * image.scale), w: Math.round(d.box.w * image.scale), h: Math.round(d.box.h * image.scale) };
        const name = `${ref.sha256}-${d.label.replace(/\W+/g, '_')}-${box.x}-${box.y}-${box.w}-${box.h}.jpg`;
        return { d, box, name };
      });
      const cropBoxes = await writeCrops(ref.path, maxPixels, placed.map((f) => ({ box: f.box, out: join(dir, f.name) })), CROP_PADDING);
      const clues: ClueInput[] = placed.map(({ d, box, name }, i) => ({
        type: 'object',
        value: d.label,
        tokens: uniqueTokens(d.label),
        box,
        score: d.score,
        detail: { crop: `crops/${ref.sha256.slice(0, 2)}/${name}`, cropBox: cropBoxes[i] },
      }));
      return { stage: 'objects', status: 'ok', model: detector.value.model, clues, durationMs: Date.now() - started };
    });
}

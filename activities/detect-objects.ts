import type { ClueInput } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import { cropKey } from '../blobs/keys';
import type { StageDefinition } from './stage';

/** Crops keep some context around the object: it helps a volunteer recognise it. */
const CROP_PADDING = 0.1;

/**
 * Objects with boxes and scores in the oriented image's pixels, each with a padded crop stored
 * under `crops/` (named by content and box, so a re-run rewrites the same blob).
 */
export const detectObjects: StageDefinition<'objects'> = {
  async run({ ref, deps, engine }) {
    const { found, crops, note } = await engine(CROP_PADDING);
    const keys = found.map((d) => cropKey(ref.sha256, d.label, d.box));
    await Promise.all(crops.map((c, i) => deps.blobs.put(keys[i]!, Buffer.from(c.jpeg), 'image/jpeg')));
    const clues: ClueInput[] = found.map((d, i) => ({
      type: 'object',
      value: d.label,
      tokens: uniqueTokens(d.label),
      box: d.box,
      score: d.score,
      detail: { crop: keys[i], cropBox: crops[i]!.box },
    }));
    return { clues, ...(note ? { reason: note } : {}) };
  },
};

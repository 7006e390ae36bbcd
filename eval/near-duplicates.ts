import { pdqDistance, PDQ_MATCH_DISTANCE } from '../models/pdq';
import { pdqFromFile } from '../models/pdq-image';
import type { Evaluation } from './evaluation';
import { pct, report } from './report';

const MAX_PIXELS = 1e8;

/** PDQ: copies (re-encoded, resized, cropped, brightened) within the match distance, others not. */
export const nearDuplicates: Evaluation = {
  name: 'duplicates',
  figures: [],
  engine: false,
  async run({ set }) {
    const originals = await Promise.all(set.duplicates.map(async (d) => (await pdqFromFile(d.original, MAX_PIXELS)).hash));
    const positives: number[] = [];
    const negatives: number[] = [];
    const byVariant: Record<string, number[]> = {};
    for (const [i, d] of set.duplicates.entries()) {
      for (const c of d.copies) {
        const h = (await pdqFromFile(c.path, MAX_PIXELS)).hash;
        positives.push(pdqDistance(h, originals[i]!));
        (byVariant[c.variant] ??= []).push(pdqDistance(h, originals[i]!));
        originals.forEach((o, j) => j !== i && negatives.push(pdqDistance(h, o)));
      }
    }
    for (let i = 0; i < originals.length; i++) for (let j = i + 1; j < originals.length; j++) negatives.push(pdqDistance(originals[i]!, originals[j]!));
    const rate = (xs: number[], t: number) => xs.filter((d) => d <= t).length / xs.length;
    console.log(`\nNear-duplicates (PDQ): ${positives.length} copy pairs, ${negatives.length} pairs of different images`);
    report(`near-duplicate recall at PDQ <= ${PDQ_MATCH_DISTANCE}`, pct(rate(positives, PDQ_MATCH_DISTANCE)));
    report(`false-positive rate at PDQ <= ${PDQ_MATCH_DISTANCE}`, pct(rate(negatives, PDQ_MATCH_DISTANCE)));
    for (const [v, ds] of Object.entries(byVariant)) report(`  recall, ${v}`, pct(rate(ds, PDQ_MATCH_DISTANCE)));
    return {};
  },
};

import { countAccents, wordScore } from './word-score';
import type { Evaluation } from './evaluation';
import { pct, report } from './report';

/** Words read by the engine (every OCR engine merged, as stored) on the scene-text photos. */
export const text: Evaluation = {
  name: 'text',
  figures: ['ocr_recall', 'ocr_precision'],
  engine: true,
  async run({ set, engine, timings }) {
    let tp = 0;
    let truthN = 0;
    let predicted = 0;
    const byVariant: Record<string, { tp: number; truth: number }> = {};
    const accents = { kept: 0, n: 0 };
    for (const item of set.text) {
      const res = await timings.timed('text', () => engine.text({ path: item.path }));
      const got = new Set(res.lines.flatMap((l) => l.tokens));
      countAccents(accents, item.words, res.lines.map((l) => l.text));
      const { hit, truth, predicted: p } = wordScore(item, got);
      tp += hit;
      truthN += truth;
      predicted += p;
      const v = (byVariant[item.variant.replace(/ \d+$/, ' (any angle)')] ??= { tp: 0, truth: 0 });
      v.tp += hit;
      v.truth += truth;
    }
    console.log(`\nScene text: ${set.text.length} photos (synthetic signs: plain, rotated, blurred, JPEG 40, small, sheared, turned; real photos of signs)`);
    const recall = tp / truthN;
    const precision = predicted ? tp / predicted : 0;
    report('OCR word recall (what is stored)', pct(recall), 'target >= 95%');
    report('OCR word precision', pct(precision));
    for (const [v, t] of Object.entries(byVariant)) report(`  recall, ${v}`, pct(t.tp / t.truth));
    report('  accented words read with their accents', `${accents.kept}/${accents.n}`);
    return { ocr_recall: recall, ocr_precision: precision };
  },
};

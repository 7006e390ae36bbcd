import type { LocalEngine } from '../engine/local-engine';
import { countAccents, wordMisses, wordScore } from './word-score';
import type { Evaluation } from './evaluation';
import { pct, report, type Timings } from './report';

/** Words read by the engine (every OCR engine merged, as stored): totals, and per photo what was missed or read wrongly. */
export async function readWords<T extends { path: string; words: string[]; optional?: string[] }>(items: T[], engine: LocalEngine, timings: Timings, clock = 'text') {
  let tp = 0;
  let truthN = 0;
  let predicted = 0;
  const accents = { kept: 0, n: 0 };
  const perItem: { item: T; hit: number; truth: number; predicted: number; missed: string[]; wrong: string[] }[] = [];
  for (const item of items) {
    const res = await timings.timed(clock, () => engine.text({ path: item.path }));
    const got = new Set(res.lines.flatMap((l) => l.tokens));
    countAccents(accents, item.words, res.lines.map((l) => l.text));
    const score = wordScore(item, got);
    tp += score.hit;
    truthN += score.truth;
    predicted += score.predicted;
    perItem.push({ item, ...score, ...wordMisses(item, got) });
  }
  return { recall: truthN ? tp / truthN : NaN, precision: predicted ? tp / predicted : truthN ? 0 : 1, accents, perItem, words: truthN, read: predicted };
}

/** Words read by the engine (every OCR engine merged, as stored) on the scene-text photos. */
export const text: Evaluation = {
  name: 'text',
  figures: ['ocr_recall', 'ocr_precision'],
  engine: true,
  async run({ set, engine, timings }) {
    const { recall, precision, accents, perItem } = await readWords(set.text, engine, timings);
    const byVariant: Record<string, { tp: number; truth: number }> = {};
    for (const { item, hit, truth } of perItem) {
      const v = (byVariant[item.variant.replace(/ \d+$/, ' (any angle)')] ??= { tp: 0, truth: 0 });
      v.tp += hit;
      v.truth += truth;
    }
    console.log(`\nScene text: ${set.text.length} photos (synthetic signs: plain, rotated, blurred, JPEG 40, small, sheared, turned; real photos of signs)`);
    report('OCR word recall (what is stored)', pct(recall), 'target >= 95%');
    report('OCR word precision', pct(precision));
    for (const [v, t] of Object.entries(byVariant)) report(`  recall, ${v}`, pct(t.tp / t.truth));
    report('  accented words read with their accents', `${accents.kept}/${accents.n}`);
    return { ocr_recall: recall, ocr_precision: precision };
  },
};

import type { Evaluation, Figures } from './evaluation';
import { HALVES, realPhotos, textItems } from './photos';
import { pct, report } from './report';
import { readWords } from './text';

/**
 * Words read on the real photos, per half. The tune half lists what was missed and what was read
 * wrongly (to work on); the report half gives its figures only.
 */
export const photoText: Evaluation = {
  name: 'photo-text',
  figures: ['tune_ocr_recall', 'tune_ocr_precision', 'report_ocr_recall', 'report_ocr_precision'],
  engine: true,
  async run({ engine, timings }) {
    const set = realPhotos();
    const out: Figures = {};
    for (const half of HALVES) {
      const items = textItems(set, half);
      const res = await readWords(items, engine, timings, 'text (photos)');
      const withWords = items.filter((i) => i.words.length).length;
      console.log(`\nText on real photos, ${half} half${half === 'report' ? ' (no setting is chosen on it)' : ''}: ${items.length} photos, ${withWords} with words (${res.words} words), ${items.length - withWords} without`);
      report('OCR word recall', pct(res.recall), half === 'report' ? 'target >= 90%' : '');
      report('OCR word precision', pct(res.precision), half === 'report' ? 'target >= 90%' : '');
      if (half === 'tune') {
        for (const r of res.perItem.filter((r) => r.missed.length || r.wrong.length)) {
          console.log(`  ${r.item.id}: ${r.missed.length ? `missed ${r.missed.join(' ')}` : ''}${r.missed.length && r.wrong.length ? '; ' : ''}${r.wrong.length ? `read wrongly ${r.wrong.join(' ')}` : ''}`);
        }
      }
      out[`${half}_ocr_recall`] = res.recall;
      out[`${half}_ocr_precision`] = res.precision;
    }
    return out;
  },
};

import { detectionWith } from './detection-score';
import type { Evaluation, Figures } from './evaluation';
import { HALVES, objectItems, realPhotos } from './photos';

/**
 * Objects the engine stores on the real photos, per half (each photo's objects all boxed). The
 * tune half lists its misses by class and its false positives; the report half its figures only.
 */
export const photoObjects: Evaluation = {
  name: 'photo-objects',
  figures: ['tune_object_recall', 'tune_object_precision', 'report_object_recall', 'report_object_precision'],
  engine: true,
  async run({ engine, timings }) {
    const set = realPhotos();
    const out: Figures = {};
    for (const half of HALVES) {
      const items = objectItems(set, half);
      const n = items.reduce((s, i) => s + i.objects.length, 0);
      const title = `\nObjects on real photos, ${half} half${half === 'report' ? ' (no setting is chosen on it)' : ''}: ${items.length} photos, ${n} objects (${items.filter((i) => !i.objects.length).length} photos with none)`;
      const res = await detectionWith(items, 'objects (photos)', (path) => engine.objects({ path }, 0).then((r) => r.found), timings, { title, targets: half === 'report', details: half === 'tune' });
      out[`${half}_object_recall`] = res.recall;
      out[`${half}_object_precision`] = res.precision;
    }
    return out;
  },
};

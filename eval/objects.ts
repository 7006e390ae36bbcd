import { detectionWith } from './detection-score';
import type { Evaluation } from './evaluation';

/** Objects the engine stores (the detector with its second look), boxed by hand or pasted. */
export const objects: Evaluation = {
  name: 'objects',
  figures: ['object_recall', 'object_precision'],
  engine: true,
  async run({ set, engine, timings }) {
    const n = set.objects.reduce((s, i) => s + i.objects.length, 0);
    const title = `\nObjects: ${set.objects.length} images, ${n} objects (originals, objects pasted onto new backgrounds, real photos)`;
    const res = await detectionWith(set.objects, 'objects', (path) => engine.objects({ path }, 0).then((r) => r.found), timings, { title, targets: true });
    return { object_recall: res.recall, object_precision: res.precision };
  },
};

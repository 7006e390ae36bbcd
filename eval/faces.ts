import { iou } from '../models/nms';
import type { Evaluation } from './evaluation';
import { pct, report } from './report';

/** Frontal faces found (IoU 0.3), and faces found on photos without one. */
export const faces: Evaluation = {
  name: 'faces',
  figures: ['face_recall', 'face_false_positives'],
  engine: true,
  async run({ set, engine, timings }) {
    console.log(`\nFaces: ${set.faces.filter((f) => f.boxes.length).length} photos with a frontal face, ${set.faces.filter((f) => !f.boxes.length).length} without`);
    if (!engine.models.faces.ok) {
      report('face recall', 'no face detector');
      return { face_recall: null, face_false_positives: null };
    }
    let hit = 0;
    let n = 0;
    let fp = 0;
    const misses: string[] = [];
    const wrong: string[] = [];
    for (const item of set.faces) {
      const found = (await timings.timed('faces', () => engine.faces({ path: item.path }))).faces;
      const used = new Set<number>();
      for (const b of item.boxes) {
        n++;
        const i = found.findIndex((f, k) => !used.has(k) && iou(f.box, b) >= 0.3);
        if (i >= 0) {
          used.add(i);
          hit++;
        } else misses.push(item.path.split('/').pop()!);
      }
      const extra = found.filter((_, k) => !used.has(k));
      fp += extra.length;
      if (extra.length) wrong.push(`${item.path.split('/').pop()} (${extra.map((f) => f.score.toFixed(2)).join(', ')})`);
    }
    report('face recall (frontal)', pct(hit / n), 'target >= 95%');
    if (misses.length) console.log(`  missed: ${misses.join(', ')}`);
    report('faces found where there is none', String(fp), 'target 0');
    if (wrong.length) console.log(`  on: ${wrong.join('; ')}`);
    return { face_recall: hit / n, face_false_positives: fp };
  },
};

import type { Box } from '../core/clues';
import { iou } from '../models/nms';
import { mean, pct, report, type Timings } from './report';

export type Found = { label: string; score: number; box: Box }[];

/** Images with boxed objects; `ignore`: things a detector may find or not (neither a miss nor a false positive). */
export type ObjectItems = { path: string; objects: { label: string; box: Box }[]; ignore?: Box[] }[];

/**
 * Recall and precision @ IoU 0.5 of one detector over a set of images; `headline` prints per class
 * too, under `title`.
 */
export async function detectionWith(
  items: ObjectItems,
  name: string,
  detect: (path: string) => Promise<Found>,
  timings: Timings,
  headline?: { title: string; targets: boolean; details?: boolean },
) {
  let tp = 0;
  let fp = 0;
  let n = 0;
  const perClass: Record<string, { hit: number; n: number }> = {};
  const falsePositives: string[] = [];
  const found: Map<string, { label: string; score: number }[]> = new Map();
  for (const item of items) {
    const res = { found: await timings.timed(name, () => detect(item.path)) };
    found.set(item.path, res.found);
    const used = new Set<number>();
    for (const o of item.objects) {
      const c = (perClass[o.label] ??= { hit: 0, n: 0 });
      c.n++;
      n++;
      let best = -1;
      res.found.forEach((d, i) => {
        if (!used.has(i) && d.label === o.label && iou(d.box, o.box) >= 0.5 && (best < 0 || d.score > res.found[best]!.score)) best = i;
      });
      if (best >= 0) {
        used.add(best);
        c.hit++;
        tp++;
      }
    }
    res.found.forEach((d, i) => {
      if (used.has(i)) return;
      const cx = d.box.x + d.box.w / 2;
      const cy = d.box.y + d.box.h / 2;
      const ignored = (item.ignore ?? []).some((b) => cx >= b.x && cx <= b.x + b.w && cy >= b.y && cy <= b.y + b.h);
      if (ignored) return;
      fp++;
      falsePositives.push(`${d.label} ${d.score} in ${item.path.split('/').pop()}`);
    });
  }
  const recall = tp / n;
  const precision = tp + fp ? tp / (tp + fp) : 1;
  if (!headline) {
    report(`  ${name}: recall / precision @ IoU 0.5, ms/image`, `${pct(recall)} / ${pct(precision)}, ${Math.round(mean(timings.times[name]!))}`);
    return { recall, precision, found };
  }
  console.log(headline.title);
  if (headline.details !== false) for (const [label, c] of Object.entries(perClass)) report(`  recall @ IoU 0.5, ${label}`, `${c.hit}/${c.n}`);
  report('object recall @ IoU 0.5', pct(recall), headline.targets ? 'target >= 85%' : '');
  report('object precision @ IoU 0.5', pct(precision), headline.targets ? 'target >= 95%' : '');
  if (falsePositives.length && headline.details !== false) console.log(`  false positives: ${falsePositives.join('; ')}`);
  return { recall, precision, found };
}

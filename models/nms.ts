import type { Box } from '../core/clues';

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.w, b.x + b.w);
  const y2 = Math.min(a.y + a.h, b.y + b.h);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy non-maximum suppression within each label: the best box of a cluster survives. */
export function nonMaxSuppression<T extends { box: Box; score: number; label: string }>(items: T[], iouThreshold = 0.5): T[] {
  const kept: T[] = [];
  for (const item of [...items].sort((a, b) => b.score - a.score)) {
    if (!kept.some((k) => k.label === item.label && iou(k.box, item.box) > iouThreshold)) kept.push(item);
  }
  return kept;
}

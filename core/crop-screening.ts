import type { Box } from './clues';

// Europol's Trace an Object publishes objects, never people. A crop that might show a person, or
// that is most of the picture anyway, is refused before a reviewer can publish it.

/** Labels whose boxes a published crop must not touch. */
export const PROTECTED_LABELS = ['person', 'face'] as const;

/** A padded crop above this share of the image shows the scene, not an object. */
export const MAX_CROP_SHARE = 0.5;

export interface ScreeningInput {
  label: string;
  /** The padded box that would be published. */
  cropBox: Box;
  image: { width: number; height: number };
  /** Every detected object of the same image, people and faces among them. */
  others: { label: string; box: Box }[];
}

export type Screening = { ok: true } | { ok: false; reason: string };

const area = (b: Box) => Math.max(0, b.w) * Math.max(0, b.h);

export function intersection(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

export function screenCrop(input: ScreeningInput): Screening {
  const label = input.label.toLowerCase();
  if ((PROTECTED_LABELS as readonly string[]).includes(label)) return { ok: false, reason: `a ${label} is never published` };
  const share = area(input.cropBox) / Math.max(1, input.image.width * input.image.height);
  if (share > MAX_CROP_SHARE) return { ok: false, reason: `the crop covers ${Math.round(share * 100)}% of the image (limit ${MAX_CROP_SHARE * 100}%)` };
  // Any overlap at all: a hand or a sleeve at the edge of a crop is enough to refuse it.
  const touching = input.others.find((o) => (PROTECTED_LABELS as readonly string[]).includes(o.label.toLowerCase()) && intersection(input.cropBox, o.box) > 0);
  if (touching) return { ok: false, reason: `the crop overlaps a detected ${touching.label.toLowerCase()}` };
  return { ok: true };
}

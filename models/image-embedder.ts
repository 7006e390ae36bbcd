import type { ModelRef } from '../core/clues';
import type { DecodedImage } from './image-loader';

/** A global descriptor of a whole image (or crop): L2-normalised, compared by cosine. */
export interface ImageEmbedder {
  readonly model: ModelRef;
  readonly inputSide: number;
  embed(image: DecodedImage): Promise<number[]>;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

export function l2normalise(v: number[]): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / n);
}

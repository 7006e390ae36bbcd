import type { Box, ModelRef } from '../core/clues';
import type { DecodedImage } from './image-loader';

export interface Detection {
  label: string;
  /** 0..1 */
  score: number;
  box: Box;
}

/** Finds objects (COCO classes at least) in decoded RGB pixels. */
export interface ObjectDetector {
  readonly model: ModelRef;
  /** Longest side the detector wants; the caller downsizes to it before calling. */
  readonly inputSide: number;
  detect(image: DecodedImage): Promise<Detection[]>;
}

import type { Box, ModelRef } from '../core/clues';
import type { DecodedImage } from './image-loader';

export interface Face {
  box: Box;
  /** 0..1 */
  score: number;
  /** Eyes, nose tip, mouth corners (x, y), in the same pixels as the box. */
  landmarks?: [number, number][];
}

/** Finds human faces in decoded RGB pixels (boxes in those pixels). */
export interface FaceDetector {
  readonly model: ModelRef;
  /** Longest side the detector wants; the caller downsizes to it before calling. */
  readonly inputSide: number;
  detect(image: DecodedImage): Promise<Face[]>;
}

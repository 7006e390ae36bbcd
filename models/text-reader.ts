import type { Box, ModelRef } from '../core/clues';
import type { InputLimits, RgbImage } from './tiles';

export interface OcrWord {
  text: string;
  /** 0..1 */
  confidence: number;
  box: Box;
}

export interface OcrLine {
  text: string;
  confidence: number;
  box: Box;
  words: OcrWord[];
}

/** Reads visible text from oriented RGB pixels no larger than its `limits` (callers tile). */
export interface TextReader {
  readonly model: ModelRef;
  readonly limits: InputLimits;
  read(image: RgbImage): Promise<OcrLine[]>;
  close(): Promise<void>;
}

import type { Box, ModelRef } from '../core/clues';

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

/** Reads visible text from an encoded image. */
export interface TextReader {
  readonly model: ModelRef;
  read(image: Buffer): Promise<OcrLine[]>;
  close(): Promise<void>;
}

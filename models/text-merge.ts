import type { Box } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import type { OcrLine, OcrWord } from './text-reader';

/** Words read with less confidence than this are shown but not indexed for search. */
export const MIN_WORD_CONFIDENCE = 0.5;
/**
 * A line that only a later engine read (no earlier engine saw text there) needs more confidence:
 * tesseract reads texture in photos as words at 50-70% confidence.
 */
export const MIN_SOLO_LINE_CONFIDENCE = 0.8;
/**
 * So does a line of the first engine: PP-OCR reads fur, foliage and a bus's small print as
 * "FL", "AE", "中y" or "minihus" at 50-77%. Chosen on the eval's tune half (real photos: word
 * precision 0.55 -> 0.80, recall unchanged) and its built set (recall and precision unchanged).
 */
export const MIN_LINE_CONFIDENCE = 0.8;
/**
 * A later engine's words join a line an earlier engine read only when it is this sure of them:
 * tesseract, woken by a sign's lines, reads the sign's surroundings as two-letter words at 50-70%.
 */
export const MIN_JOINING_WORD_CONFIDENCE = 0.8;

export interface MergedLine {
  text: string;
  confidence: number;
  box: Box;
  words: OcrWord[];
  tokens: string[];
  /** Which engines read this line, and what each read. */
  readings: { engine: string; text: string; confidence: number }[];
}

function overlapOfSmaller(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min(a.w * a.h, b.w * b.h);
}

function confidentTokens(line: OcrLine, min = MIN_WORD_CONFIDENCE): string[] {
  return line.words.filter((w) => w.confidence >= min).flatMap((w) => uniqueTokens(w.text, 2));
}


function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/**
 * One set of lines from several engines. Lines that cover the same place are one line: the most
 * confident reading is its text, and its search tokens are every engine's confident words, since
 * the engines fail differently (PP-OCR reads signs but drops spaces; tesseract splits words well
 * on documents but reads little in photos).
 */
export function mergeLines(readings: { engine: string; lines: OcrLine[] }[]): MergedLine[] {
  const merged: (MergedLine & { best: number })[] = [];
  for (const [index, { engine, lines }] of readings.entries()) {
    for (const line of lines) {
      const reading = { engine, text: line.text, confidence: line.confidence };
      const same = merged.find((m) => overlapOfSmaller(m.box, line.box) > 0.5);
      const tokens = confidentTokens(line, same && index > 0 ? MIN_JOINING_WORD_CONFIDENCE : MIN_WORD_CONFIDENCE);
      if (!same) {
        if (tokens.length === 0 || line.confidence < (index > 0 ? MIN_SOLO_LINE_CONFIDENCE : MIN_LINE_CONFIDENCE)) continue;
        merged.push({ text: line.text, confidence: line.confidence, box: line.box, words: line.words, tokens, readings: [reading], best: line.confidence });
        continue;
      }
      same.readings.push(reading);
      same.tokens = [...new Set([...same.tokens, ...tokens])];
      same.box = union(same.box, line.box);
      if (line.confidence > same.best) {
        same.best = line.confidence;
        same.text = line.text;
        same.confidence = line.confidence;
        same.words = line.words;
      }
    }
  }
  return merged.map(({ best: _best, ...m }) => m);
}

import type { Box } from '../core/clues';
import type { WhereClue } from './types';

/** A line of text read in the image, with what is needed to point back at its words. */
export interface TextLine {
  text: string;
  clueId?: string;
  box?: Box;
  words: { text: string; box: Box }[];
}

function wordsOf(detail: Record<string, unknown> | undefined): { text: string; box: Box }[] {
  const words = detail?.words;
  if (!Array.isArray(words)) return [];
  return words.flatMap((w) => (w && typeof w.text === 'string' && w.box && typeof w.box.x === 'number' ? [{ text: w.text as string, box: w.box as Box }] : []));
}

/** The text clues of an image as lines (OCR lines; their words carry boxes). */
export function textLines(clues: WhereClue[]): TextLine[] {
  return clues
    .filter((c) => c.type === 'text' && typeof c.value === 'string' && c.value.trim() !== '')
    .map((c) => ({ text: c.value, ...(c.id ? { clueId: c.id } : {}), ...(c.box ? { box: c.box } : {}), words: wordsOf(c.detail) }));
}

const union = (a: Box, b: Box): Box => {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
};

/** The box of the words covering characters [start, end) of a line; the line's box otherwise. */
export function boxOf(line: TextLine, start: number, end: number): Box | undefined {
  let cursor = 0;
  let box: Box | undefined;
  for (const w of line.words) {
    const at = line.text.indexOf(w.text, cursor);
    if (at < 0) continue;
    cursor = at + w.text.length;
    if (at < end && cursor > start) box = box ? union(box, w.box) : w.box;
  }
  return box ?? line.box;
}

/** Where a match came from, for an evidence item. */
export function pointer(line: TextLine, start: number, end: number): { clueId?: string; box?: Box; text: string } {
  const box = boxOf(line, start, end);
  return { ...(line.clueId ? { clueId: line.clueId } : {}), ...(box ? { box } : {}), text: line.text.slice(start, end) };
}

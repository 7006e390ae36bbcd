import { z } from 'zod';

// Text people type (answers, notes, contact details, reasons) is stored and shown as text only:
// the pages put it in text nodes, never parse it as HTML. Here it is trimmed, length-limited and
// kept free of control characters and of the bidirectional overrides that could make it read
// differently from what it holds.

const BIDI = new Set([0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);

function clean(s: string, multiline: boolean): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (multiline && (c === 0x0a || c === 0x0d || c === 0x09)) continue;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || BIDI.has(c)) return false;
  }
  return true;
}

/** One line of plain text, `min`..`max` characters once trimmed. */
export const plainText = (min: number, max: number) =>
  z.string().trim().min(min).max(max).refine((s) => clean(s, false), 'control characters are not allowed');

/** Several lines of plain text (a note): tabs and line breaks allowed. */
export const plainLines = (max: number) =>
  z.string().trim().max(max).refine((s) => clean(s, true), 'control characters are not allowed');

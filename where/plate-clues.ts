import type { Box, ClueInput } from '../core/clues';
import { compactToken } from '../core/tokens';
import { EU_BAND, PLATES } from './plate';

// Licence plates read as plates: one `plate` clue per plate, whatever the OCR's line split (a
// plate read as "AB12" and "CDE", a two-row plate, "AB-123-CD" read as "AB123CD"), searchable
// by its letters and digits alone (`AB12CDE` finds "AB12 CDE"). Formats: where/plate.ts.

export interface PlateLine {
  text: string;
  box: Box;
  confidence: number;
}


const tidy = (t: string) => t.normalize('NFC').toUpperCase().replace(/\s+/g, ' ').trim();
/** Plates are short: a line longer than this is not (part of) one. */
const MAX_PART = 12;

/** Lines that read on as one plate: side by side on a row, or two rows of one plate. */
function neighbours(a: PlateLine, b: PlateLine): boolean {
  const ha = a.box.h;
  const hb = b.box.h;
  if (Math.max(ha, hb) > 1.6 * Math.min(ha, hb)) return false;
  const yOverlap = Math.min(a.box.y + ha, b.box.y + hb) - Math.max(a.box.y, b.box.y);
  const gapX = b.box.x - (a.box.x + a.box.w);
  if (yOverlap >= 0.5 * Math.min(ha, hb) && gapX >= -0.3 * ha && gapX <= 1.5 * ha) return true;
  const xOverlap = Math.min(a.box.x + a.box.w, b.box.x + b.box.w) - Math.max(a.box.x, b.box.x);
  const gapY = b.box.y - (a.box.y + ha);
  return xOverlap >= 0.5 * Math.min(a.box.w, b.box.w) && gapY >= -0.2 * ha && gapY <= 0.8 * ha;
}

/** The formats a reading fits: as written (separators and all), else letters and digits alone. */
function formatsOf(text: string): typeof PLATES {
  const band = text.match(EU_BAND)?.[0] ?? '';
  const plate = text.slice(band.length);
  const written = PLATES.filter((p) => p.pattern.test(plate));
  // Read with its own separators, a plate says its format; read without them, any format whose
  // letters and digits fit (OCR drops dashes: AB-123-CD or AB 123CD are both AB123CD).
  if (written.length && /[ -]/.test(plate)) return written;
  const bare = plate.replace(/[^\p{L}\p{N}]/gu, '');
  if (!/\d/.test(bare) || !/\p{L}/u.test(bare)) return written;
  return PLATES.filter((p) => written.includes(p) || p.compact?.test(bare));
}

const union = (a: Box, b: Box): Box => {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
};

/** Plate clues of an image's lines of text (one per plate, the most confident reading). */
export function plateClues(lines: PlateLine[]): ClueInput[] {
  const short = lines.filter((l) => tidy(l.text).length <= MAX_PART && /[\p{L}\p{N}]/u.test(l.text));
  const candidates: { text: string; box: Box; confidence: number; parts: string[] }[] = short.map((l) => ({ text: tidy(l.text), box: l.box, confidence: l.confidence, parts: [l.text] }));
  for (const a of short) {
    for (const b of short) {
      if (a !== b && neighbours(a, b)) candidates.push({ text: `${tidy(a.text)} ${tidy(b.text)}`, box: union(a.box, b.box), confidence: Math.min(a.confidence, b.confidence), parts: [a.text, b.text] });
    }
  }
  const best = new Map<string, ClueInput>();
  for (const c of candidates) {
    const formats = formatsOf(c.text);
    if (!formats.length) continue;
    const band = c.text.match(EU_BAND)?.[0] ?? '';
    const value = c.text.slice(band.length);
    const token = compactToken(value);
    const score = Math.round(c.confidence * 1000) / 1000;
    if ((best.get(token)?.score ?? -1) >= score) continue;
    best.set(token, {
      type: 'plate',
      value,
      tokens: [token],
      box: c.box,
      score,
      detail: { countries: [...new Set(formats.flatMap((f) => f.countries))], formats: formats.map((f) => f.format), read: c.parts },
    });
  }
  return [...best.values()];
}

import { tokens } from '../core/tokens';
import { pointer, type TextLine } from './text-lines';
import type { TimeEvidence } from './types';
import { SOURCES, TEXT_DATE_AFTER_DAYS } from './weights';

// Dates printed in the image (a receipt, a ticket, a newspaper): the photo was taken on or after
// the day, usually within a year. A best-before date is the other way round: the photo was taken
// before it, within two years. Day-month order is the European one; where the month could be
// either number (03/04/2019) both readings are kept, as one wider window.

const DAY = 86_400_000;
const EXPIRY_WINDOW_DAYS = 730;

const ISO_DATE = /\b((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})\b/g;
// OCR engines put spaces around the dots ("09 . 10 . 2020").
const DMY = /\b(\d{1,2}) ?[./-] ?(\d{1,2}) ?[./-] ?((?:19|20)\d{2})\b/g;

/** Words before a best-before date, accent-less and lower case, in the languages of the eval. */
const EXPIRY = ['best before', 'use by', 'exp', 'bb', 'mhd', 'mindestens haltbar bis', 'zu verbrauchen bis', 'najlepiej spozyc przed', 'nalezy spozyc do',
  'a consommer de preference avant', 'a consommer jusqu', 'consumir preferentemente antes', 'consumir antes de', 'consumir de preferencia antes',
  'da consumarsi preferibilmente entro', 'da consumarsi entro', 'ten minste houdbaar tot', 'houdbaar tot', 'minimalne trvanlive do', 'spotrebujte do',
  'bast fore', 'best for', 'mindst holdbar til', 'best before end'].map((e) => tokens(e));

function isExpiry(before: string): boolean {
  const t = tokens(before).slice(-6);
  return EXPIRY.some((e) => {
    for (let i = 0; i + e.length <= t.length; i++) if (e.every((w, j) => t[i + j] === w)) return true;
    return false;
  });
}

const valid = (y: number, m: number, d: number) => m >= 1 && m <= 12 && d >= 1 && d <= 31 && new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;

export function textDateEvidence(lines: TextLine[], now: number): TimeEvidence[] {
  const out: TimeEvidence[] = [];
  for (const line of lines) {
    const found: { index: number; text: string; days: number[] }[] = [];
    for (const m of line.text.matchAll(ISO_DATE)) {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      if (valid(y, mo, d)) found.push({ index: m.index ?? 0, text: m[0], days: [Date.UTC(y, mo - 1, d)] });
    }
    for (const m of line.text.matchAll(DMY)) {
      const [a, b, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const days = [valid(y, b, a) ? Date.UTC(y, b - 1, a) : NaN, m[0].includes('/') && a !== b && valid(y, a, b) ? Date.UTC(y, a - 1, b) : NaN].filter(Number.isFinite);
      if (days.length) found.push({ index: m.index ?? 0, text: m[0], days });
    }
    for (const f of found) {
      const first = Math.min(...f.days);
      const last = Math.max(...f.days);
      if (first > now + 3 * 365 * DAY || first < Date.UTC(1990, 0, 1)) continue;
      const both = f.days.length > 1 ? ' (day and month could be either way)' : '';
      const expiry = isExpiry(line.text.slice(0, f.index));
      // A day is local: from its start at UTC+14 to its end at UTC-12.
      const from = expiry ? first - EXPIRY_WINDOW_DAYS * DAY : first - 14 * 3_600_000;
      const to = expiry ? last + DAY + 12 * 3_600_000 : last + TEXT_DATE_AFTER_DAYS * DAY;
      out.push({
        kind: 'time', source: 'text-date', value: { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, weight: SOURCES['text-date'].weight,
        observation: `date:${f.text}`, ...pointer(line, f.index, f.index + f.text.length),
        why: expiry ? `best-before date ${f.text}${both}: the photo was taken before it (within two years)` : `date ${f.text} printed in the image${both}: the photo was taken on or after it (within a year)`,
      });
    }
  }
  return out;
}

import { parsePhoneNumber } from 'awesome-phonenumber';
import { countryEvidence, countryName } from './countries';
import { pointer, type TextLine } from './text-lines';
import type { CountryEvidence } from './types';

// Phone numbers in the text (awesome-phonenumber: Google's libphonenumber metadata, compiled).
// An international number (+48, 0048) names its country, NANP numbers their area code's country.
// A national number (022 845 67 12) is only read for countries the language already points to:
// on its own it fits too many numbering plans.

/** Digits with the separators people print, optionally after + or 00. */
const CANDIDATE = /(?:\+|\b00)?\(?\d[\d\s()./-]{5,18}\d/g;
/** A national number counts this much of an international one. */
const NATIONAL_RELIABILITY = 0.5;
/** An international number of the right length outside the allocated ranges. */
const POSSIBLE_RELIABILITY = 0.6;

export function phoneEvidence(lines: TextLine[], hints: string[]): CountryEvidence[] {
  const out: CountryEvidence[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    for (const m of line.text.matchAll(CANDIDATE)) {
      const raw = m[0].trim();
      const digits = raw.replace(/\D/g, '');
      if (digits.length < 7 || digits.length > 15) continue;
      // Dates and times are not numbers to dial.
      if (/^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(raw) || /^\d{4}-\d{2}-\d{2}$/.test(raw)) continue;
      const international = raw.startsWith('+') || raw.startsWith('00');
      const at = (m.index ?? 0) + (m[0].length - m[0].trimStart().length);
      const where = pointer(line, at, at + raw.length);
      if (international) {
        const p = parsePhoneNumber(raw.startsWith('00') ? `+${raw.slice(2)}` : raw);
        // Possible but not in an allocated range (or misread by one digit): the prefix still says where.
        if (!p.possible || !p.regionCode || !p.number) continue;
        const key = p.number.e164 ?? p.number.input;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(...countryEvidence('phone', { [p.regionCode]: 1 }, {
          ...where, observation: `phone:${key}`,
          why: `phone number ${p.number.international ?? raw}: +${p.countryCode} is ${countryName(p.regionCode)}${p.valid ? '' : ' (a possible number, not in an allocated range)'}`,
        }, p.valid ? 1 : POSSIBLE_RELIABILITY));
        continue;
      }
      // An OCR engine may run a stray digit onto the number: try it without its last group too.
      const variants = [raw, raw.replace(/[\s./-]+\d{1,2}$/, '')].filter((v, i, a) => a.indexOf(v) === i);
      const fits = hints.flatMap((region) => {
        for (const v of variants) {
          const p = parsePhoneNumber(v, { regionCode: region });
          if (p.valid && p.number?.e164) return [{ region, e164: p.number.e164, international: p.number.international ?? v }];
        }
        return [];
      });
      if (!fits.length || fits.some((f) => seen.has(f.e164))) continue;
      for (const f of fits) seen.add(f.e164);
      const shares = Object.fromEntries(fits.map((f) => [f.region, 1 / fits.length]));
      out.push(...countryEvidence('phone', shares, {
        ...where, observation: `phone:${fits[0]!.e164}`,
        why: `"${raw}" is a valid number in national format for ${fits.map((f) => `${countryName(f.region)} (${f.international})`).join(' or ')}; read so because the language points there`,
      }, NATIONAL_RELIABILITY));
    }
  }
  return out;
}

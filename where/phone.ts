import { parsePhoneNumber } from 'awesome-phonenumber';
import { countryEvidence, countryName } from './countries';
import { pointer, type TextLine } from './text-lines';
import type { CountryEvidence } from './types';

// Phone numbers in the text (awesome-phonenumber: Google's libphonenumber metadata, compiled).
// An international number (+48, 0048) names its country, NANP numbers their area code's country.
// A national number (022 845 67 12) is only read for countries the language already points to:
// on its own it fits too many numbering plans.

/** Digits with the separators people print, optionally after + or 00. */
const CANDIDATE = /(?:\+|\b00)?\(?\d[\d\s().\/-]{5,18}\d/g;
/** A national number counts this much of an international one. */
const NATIONAL_RELIABILITY = 0.5;

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
        if (!p.valid || !p.regionCode) continue;
        const key = p.number.e164;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(...countryEvidence('phone', { [p.regionCode]: 1 }, {
          ...where, observation: `phone:${key}`, why: `phone number ${p.number.international}: +${p.countryCode} is ${countryName(p.regionCode)}`,
        }));
        continue;
      }
      for (const region of hints) {
        const p = parsePhoneNumber(raw, { regionCode: region });
        if (!p.valid) continue;
        const key = p.number.e164;
        if (seen.has(key)) break;
        seen.add(key);
        out.push(...countryEvidence('phone', { [region]: 1 }, {
          ...where, observation: `phone:${key}`, why: `"${raw}" is a valid ${countryName(region)} number in national format (${p.number.international}); read so because the language points there`,
        }, NATIONAL_RELIABILITY));
        break;
      }
    }
  }
  return out;
}

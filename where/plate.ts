import { countryEvidence, countryName } from './countries';
import { pointer, type TextLine } from './text-lines';
import type { CountryEvidence } from './types';

// Licence plates: only a line that is nothing but a plate (a plate is read alone), in a format of
// few countries. Formats from Wikipedia's "Vehicle registration plates of <country>" articles
// (CC BY-SA 4.0). Cars cross borders: the weight is small (where/weights.ts).

/**
 * `compact`: the same plate with its spaces and dashes gone (as OCR often reads it, or splits it
 * over lines); none where the separator is what tells a plate (Germany's district code).
 */
export const PLATES: { countries: string[]; format: string; pattern: RegExp; compact?: RegExp }[] = [
  { countries: ['GB'], format: 'AA99 AAA', pattern: /^[A-Z]{2}\d{2} ?[A-Z]{3}$/, compact: /^[A-Z]{2}\d{2}[A-Z]{3}$/ },
  { countries: ['FR'], format: 'AA-999-AA', pattern: /^[A-Z]{2}-\d{3}-[A-Z]{2}$/, compact: /^[A-Z]{2}\d{3}[A-Z]{2}$/ },
  { countries: ['IT'], format: 'AA 999AA', pattern: /^[A-Z]{2} ?\d{3} ?[A-Z]{2}$/, compact: /^[A-Z]{2}\d{3}[A-Z]{2}$/ },
  { countries: ['ES'], format: '9999 BBB (no vowels)', pattern: /^\d{4} ?[BCDFGHJKLMNPRSTVWXYZ]{3}$/, compact: /^\d{4}[BCDFGHJKLMNPRSTVWXYZ]{3}$/ },
  { countries: ['DE'], format: 'A(AA) A(A) 9(999)', pattern: /^[A-ZÄÖÜ]{1,3}[ -][A-Z]{1,2} ?\d{1,4}[EH]?$/ },
  { countries: ['PT'], format: 'AA-99-AA', pattern: /^[A-Z]{2}-\d{2}-[A-Z]{2}$/, compact: /^[A-Z]{2}\d{2}[A-Z]{2}$/ },
  { countries: ['NL'], format: 'sidecodes 7-11 (99-AAA-9 ...)', pattern: /^(?:\d{2}-[A-Z]{3}-\d|\d-[A-Z]{3}-\d{2}|[A-Z]{2}-\d{3}-[A-Z]|[A-Z]-\d{3}-[A-Z]{2}|[A-Z]{3}-\d{2}-[A-Z]|\d-[A-Z]{2}-\d{3})$/, compact: /^(?:\d{2}[A-Z]{3}\d|\d[A-Z]{3}\d{2}|[A-Z]{2}\d{3}[A-Z]|[A-Z]\d{3}[A-Z]{2}|[A-Z]{3}\d{2}[A-Z]|\d[A-Z]{2}\d{3})$/ },
  { countries: ['PL'], format: 'AA(A) 9999A', pattern: /^[A-Z]{2,3} \d{3,5}[A-Z]{0,2}$/, compact: /^[A-Z]{2,3}\d{3,5}[A-Z]{0,2}$/ },
];

/** European plates carry the country's letters at the left ("PL", "D"): they are not the plate. */
export const EU_BAND = /^(?:EU\s+)?(?:PL|D|F|I|E|P|NL|GB|UK)\s+(?=\S)/;

export function plateEvidence(lines: TextLine[]): CountryEvidence[] {
  const out: CountryEvidence[] = [];
  for (const line of lines) {
    const text = line.text.trim().replace(/\s+/g, ' ');
    const band = text.match(EU_BAND)?.[0] ?? '';
    const plate = text.slice(band.length);
    const hits = PLATES.filter((p) => p.pattern.test(plate));
    if (!hits.length) continue;
    const countries = [...new Set(hits.flatMap((h) => h.countries))];
    const shares = Object.fromEntries(countries.map((c) => [c, 1 / countries.length]));
    const at = line.text.indexOf(plate);
    out.push(...countryEvidence('plate', shares, {
      ...pointer(line, Math.max(0, at), Math.max(0, at) + plate.length), observation: `plate:${plate}`,
      why: `"${plate}" reads like a licence plate of ${countries.map(countryName).join(' or ')} (${hits.map((h) => h.format).join('; ')})`,
    }));
  }
  return out;
}

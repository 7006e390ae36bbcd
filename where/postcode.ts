import { countryEvidence, countryName } from './countries';
import { pointer, type TextLine } from './text-lines';
import type { CountryEvidence } from './types';

// Postcodes, only the distinctive formats and only where an address reads like one (a place name
// after the code, or a state before a ZIP code): "00-950 Warszawa", "SW1A 1AA", "1012 AB
// Amsterdam". Formats from the Universal Postal Union's "Postal addressing systems" and
// Wikipedia's "List of postal codes" (CC BY-SA 4.0); a plain five-digit code (DE, FR, IT, ES, US
// ...) fits too many countries to count.

const PLACE = String.raw`\s+\p{Lu}[\p{L}'’-]{2,}`;
const US_STATES = 'AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC';

export const POSTCODES: { country: string; format: string; pattern: RegExp }[] = [
  { country: 'GB', format: 'A9 9AA .. AA9A 9AA', pattern: /\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?) \d[ABD-HJLNP-UW-Z]{2}\b/g },
  { country: 'CA', format: 'A9A 9A9', pattern: /\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d\b/g },
  { country: 'NL', format: '9999 AA + place', pattern: new RegExp(String.raw`\b[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}(?=${PLACE})`, 'gu') },
  { country: 'PL', format: '99-999 + place', pattern: new RegExp(String.raw`\b\d{2}-\d{3}(?=${PLACE})`, 'gu') },
  { country: 'PT', format: '9999-999 + place', pattern: new RegExp(String.raw`\b[1-9]\d{3}-\d{3}(?=${PLACE})`, 'gu') },
  { country: 'BR', format: '99999-999', pattern: /\b\d{5}-\d{3}\b(?!-)/g },
  { country: 'JP', format: '〒999-9999', pattern: /〒\s?\d{3}-\d{4}/g },
  { country: 'IE', format: 'Eircode A99 A9A9', pattern: /\b(?:[AC-FHKNPRTV-Y]\d{2}|D6W) [AC-FHKNPRTV-Y0-9]{4}\b/g },
  { country: 'US', format: 'state + 99999(-9999)', pattern: new RegExp(String.raw`\b(?:${US_STATES}) \d{5}(?:-\d{4})?\b`, 'g') },
];

export function postcodeEvidence(lines: TextLine[]): CountryEvidence[] {
  const out: CountryEvidence[] = [];
  for (const line of lines) {
    for (const { country, format, pattern } of POSTCODES) {
      for (const m of line.text.matchAll(pattern)) {
        const where = pointer(line, m.index ?? 0, (m.index ?? 0) + m[0].length);
        out.push(...countryEvidence('postcode', { [country]: 1 }, { ...where, observation: `postcode:${m[0]}`, why: `postcode "${m[0]}" has the ${countryName(country)} format (${format})` }));
      }
    }
  }
  return out;
}

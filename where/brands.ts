import { tokens } from '../core/tokens';
import table from './data/brands.json';
import { countryEvidence, countryName, evenly } from './countries';
import { pointer, type TextLine } from './text-lines';
import type { CountryEvidence, WhereClue } from './types';

// Brands and shop chains (where/data/brands.json, sourced) matched as whole words against the
// text read and against tags (a crowd's brand, an analyst's tag).

interface Brand {
  name: string;
  countries: string[];
  source: string;
  tokens: string[];
}

const BRANDS: Brand[] = (table.brands as Omit<Brand, 'tokens'>[]).map((b) => ({ ...b, tokens: tokens(b.name) }));

function contains(hay: string[], needle: string[]): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

const where = (b: Brand) => (b.countries.length <= 3 ? b.countries.map(countryName).join(', ') : `${b.countries.length} countries`);

export function brandEvidence(lines: TextLine[], clues: WhereClue[]): CountryEvidence[] {
  const out: CountryEvidence[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const words = tokens(line.text);
    for (const b of BRANDS) {
      if (seen.has(b.name) || !contains(words, b.tokens)) continue;
      seen.add(b.name);
      const at = line.text.toLowerCase().indexOf(b.name.toLowerCase());
      const span = at >= 0 ? pointer(line, at, at + b.name.length) : pointer(line, 0, line.text.length);
      out.push(...countryEvidence('brand', evenly(b.countries), { ...span, observation: `brand:${b.name}`, why: `"${b.name}" read in the image: trades in ${where(b)} (${b.source})` }));
    }
  }
  for (const c of clues.filter((x) => x.type === 'tag')) {
    const values = [c.value, typeof c.detail?.brand === 'string' ? c.detail.brand : ''].filter(Boolean);
    for (const v of values) {
      const words = tokens(v);
      for (const b of BRANDS) {
        if (seen.has(b.name) || !contains(words, b.tokens)) continue;
        seen.add(b.name);
        out.push(...countryEvidence('brand', evenly(b.countries), {
          ...(c.id ? { clueId: c.id } : {}), ...(c.box ? { box: c.box } : {}), text: v, observation: `brand:${b.name}`,
          why: `tagged "${v}": ${b.name} trades in ${where(b)} (${b.source})`,
        }));
      }
    }
  }
  return out;
}

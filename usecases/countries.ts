import { uniqueTokens } from '../core/tokens';

// The country an object was located in: an ISO 3166-1 code or its English name, checked against
// the ICU data Node ships (no list to keep up to date). Aliases become today's codes (UK → GB).

/** Regions that are not a country whose police could take a case. */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);

export interface Country {
  code: string;
  name: string;
}

let byKey: Map<string, Country> | undefined;

function countries(): Map<string, Country> {
  if (byKey) return byKey;
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
  byKey = new Map();
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const given = String.fromCharCode(a, b);
      const name = names.of(given);
      if (!name || name === given || NOT_COUNTRIES.has(given)) continue;
      const code = Intl.getCanonicalLocales(`und-${given}`)[0]!.slice(4);
      const country = { code, name: names.of(code) ?? name };
      byKey.set(given.toLowerCase(), country);
      byKey.set(uniqueTokens(country.name).join(' '), country);
    }
  }
  return byKey;
}

/** `PT`, `pt` or `Portugal` → { code: 'PT', name: 'Portugal' }; null when it is not a country. */
export function findCountry(given: string): Country | null {
  const text = given.trim();
  const map = countries();
  return (/^[A-Za-z]{2}$/.test(text) ? map.get(text.toLowerCase()) : undefined) ?? map.get(uniqueTokens(text).join(' ')) ?? null;
}

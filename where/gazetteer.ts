import numeric from './data/iso-numeric.json';
import { nameKey, townsNamed } from './geo';

// Place names people write (the crowd's "where could it be from?") -> countries and towns:
// country names in the languages of Node's ICU (CLDR), towns of 15,000+ from GeoNames.

const CODES = Object.values((numeric as { numeric: Record<string, string> }).numeric);
const LOCALES = ['en', 'de', 'fr', 'es', 'it', 'pt', 'pl', 'nl', 'cs', 'sk', 'sv', 'da', 'nb', 'fi', 'hu', 'ro', 'el', 'ru', 'uk', 'tr', 'ja', 'ko', 'th', 'zh'];
/** Names ICU does not give but people write. */
const EXTRA: Record<string, string> = { uk: 'GB', britain: 'GB', england: 'GB', scotland: 'GB', wales: 'GB', usa: 'US', america: 'US', holland: 'NL', czechia: 'CZ', 'south korea': 'KR', korea: 'KR' };

let countries: Map<string, string> | undefined;
function countryNames(): Map<string, string> {
  if (countries) return countries;
  countries = new Map(Object.entries(EXTRA));
  for (const locale of LOCALES) {
    const names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' });
    for (const code of CODES) {
      const n = names.of(code);
      if (n) countries.set(nameKey(n), code);
    }
  }
  return countries;
}

export interface PlaceMatch {
  /** What was matched. */
  name: string;
  country: string;
  share: number;
  latitude?: number;
  longitude?: number;
  kind: 'country' | 'town';
}

/**
 * The countries (and towns) a free-text place names: "Lisbon, Portugal", "Kraków", "Polska".
 * A country named outright wins over towns of the same name elsewhere; a town name shared by
 * several countries splits by population.
 */
export function placesNamed(text: string): PlaceMatch[] {
  const parts = text.split(/[,;/()]|\bin\b|\bnear\b/i).map(nameKey).filter(Boolean);
  const named = parts.flatMap((p) => {
    const c = countryNames().get(p);
    return c ? [{ name: p, country: c, share: 1, kind: 'country' as const }] : [];
  });
  const towns = parts.flatMap((p) => {
    const found = townsNamed(p);
    const inNamed = named.length ? found.filter((t) => named.some((n) => n.country === t.country)) : found;
    const pool = inNamed.length ? inNamed : named.length ? [] : found;
    const total = pool.reduce((a, t) => a + t.population, 0);
    return pool.map((t) => ({ name: t.name, country: t.country, share: t.population / total, latitude: t.latitude, longitude: t.longitude, kind: 'town' as const }));
  });
  return [...named, ...towns];
}

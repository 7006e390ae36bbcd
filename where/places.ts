import type { ClueInput } from '../core/clues';
import { countryEvidence, countryName, round } from './countries';
import { countryAt, townsNear } from './geo';
import { placesNamed } from './gazetteer';
import type { CountryEvidence, KnownPlaceInput, PlaceEvidence, Pin, WhereClue } from './types';
import { MAX_TOWNS, TOWN_RADIUS_KM } from './weights';

// Where the camera was (EXIF GPS), places the image matched (the place library) and places the
// crowd named (accepted answers): countries, towns and pins for the map.

export interface Located {
  countries: CountryEvidence[];
  places: PlaceEvidence[];
  pins: Pin[];
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** GPS from the EXIF summary (latitude/longitude) or a `gps` metadata clue. */
export function gpsOf(exif: Record<string, unknown> | undefined, clues: WhereClue[]): { latitude: number; longitude: number; clueId?: string } | undefined {
  const clue = clues.find((c) => c.type === 'metadata' && c.detail?.field === 'gps');
  const lat = num(exif?.latitude) ?? num(clue?.detail?.latitude);
  const lon = num(exif?.longitude) ?? num(clue?.detail?.longitude);
  if (lat === undefined || lon === undefined || Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  // 0,0 is a receiver with no fix written as a position, not a photo in the Gulf of Guinea.
  if (lat === 0 && lon === 0) return undefined;
  return { latitude: lat, longitude: lon, ...(clue?.id ? { clueId: clue.id } : {}) };
}

export function gpsEvidence(gps: { latitude: number; longitude: number; clueId?: string }): Located {
  const at = `${gps.latitude.toFixed(5)}, ${gps.longitude.toFixed(5)}`;
  const ref = gps.clueId ? { clueId: gps.clueId } : {};
  const country = countryAt(gps.latitude, gps.longitude);
  const pins: Pin[] = [{ kind: 'gps', label: `GPS ${at}`, latitude: gps.latitude, longitude: gps.longitude }];
  if (!country) return { countries: [], places: [], pins };
  const towns = townsNear(gps.latitude, gps.longitude, TOWN_RADIUS_KM, MAX_TOWNS);
  return {
    countries: countryEvidence('gps', { [country]: 1 }, { ...ref, observation: 'gps', text: at, why: `EXIF GPS ${at} is in ${countryName(country)}` }),
    places: towns.map((t, i) => ({
      kind: 'region', source: 'gps', value: t.name, country: t.country, latitude: t.latitude, longitude: t.longitude, distanceKm: t.distanceKm,
      weight: round(12 / (1 + i)), observation: 'gps', ...ref, why: `${t.distanceKm} km from the EXIF GPS fix (${t.name}, ${countryName(t.country)}, ${t.population.toLocaleString('en')} people)`,
    })),
    pins,
  };
}

/** Known places the image matched; those with a location (or a country) place it. */
export function knownPlaceEvidence(places: KnownPlaceInput[]): Located {
  const out: Located = { countries: [], places: [], pins: [] };
  for (const p of places) {
    const score = Math.max(0, Math.min(1, p.score ?? 1));
    const ref = p.clueId ? { clueId: p.clueId } : {};
    const located = p.latitude !== undefined && p.longitude !== undefined;
    const country = p.country ?? (located ? countryAt(p.latitude!, p.longitude!) : undefined);
    const base = { ...ref, observation: `place:${p.placeId}`, text: p.name };
    if (country) out.countries.push(...countryEvidence('known-place', { [country]: 1 }, { ...base, why: `matches the known place "${p.name}" (score ${round(score, 2)}) in ${countryName(country)}` }, score));
    out.places.push({
      kind: 'place', source: 'known-place', value: p.name, weight: round(6 * score), ...base,
      ...(country ? { country } : {}), ...(located ? { latitude: p.latitude, longitude: p.longitude } : {}),
      why: `matches the known place "${p.name}" (score ${round(score, 2)})${located ? '' : '; the library has no location for it'}`,
    });
    if (located) out.pins.push({ kind: 'place', label: p.name, latitude: p.latitude!, longitude: p.longitude! });
  }
  return out;
}

/** Known places from the image's `location` clues with a placeId, when no place list is given. */
export function placesFromClues(clues: WhereClue[]): KnownPlaceInput[] {
  return clues
    .filter((c) => c.type === 'location' && typeof c.detail?.placeId === 'string')
    .map((c) => ({ placeId: c.detail!.placeId as string, name: c.value, ...(c.score !== undefined ? { score: c.score } : {}), ...(c.id ? { clueId: c.id } : {}) }));
}

const isCrowd = (c: ClueInput) => c.type === 'location' && c.detail?.source === 'crowd';

/** Places the crowd named, accepted by a reviewer: matched against country and town names. */
export function crowdEvidence(clues: WhereClue[]): Located {
  const out: Located = { countries: [], places: [], pins: [] };
  for (const [i, c] of clues.filter(isCrowd).entries()) {
    const matches = placesNamed(c.value);
    if (!matches.length) continue;
    const shares: Record<string, number> = {};
    for (const m of matches) shares[m.country] = Math.max(shares[m.country] ?? 0, m.share);
    const count = typeof c.detail?.count === 'number' ? ` (${c.detail.count} people)` : '';
    const base = { ...(c.id ? { clueId: c.id } : {}), ...(c.box ? { box: c.box } : {}), observation: `crowd:${i}`, text: c.value };
    out.countries.push(...countryEvidence('crowd-location', shares, { ...base, why: `the crowd said "${c.value}"${count}` }));
    for (const m of matches.filter((x) => x.kind === 'town' && x.share >= 0.2)) {
      out.places.push({ kind: 'place', source: 'crowd-location', value: m.name, country: m.country, latitude: m.latitude!, longitude: m.longitude!, weight: round(3 * m.share), ...base, why: `the crowd said "${c.value}"${count}` });
      out.pins.push({ kind: 'town', label: m.name, latitude: m.latitude!, longitude: m.longitude! });
    }
  }
  return out;
}

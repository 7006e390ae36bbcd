import { brandEvidence } from './brands';
import { cameraTimeEvidence, offsetEvidence, readExifTime, wallClock } from './camera-time';
import { zonesAt } from './geo';
import { fuseTime, rankCountries, rankRegions } from './fuse';
import { languageEvidence, loadIdentifier } from './language';
import { currencyEvidence } from './money';
import { phoneEvidence } from './phone';
import { crowdEvidence, gpsEvidence, gpsOf, knownPlaceEvidence, placesFromClues } from './places';
import { plateEvidence } from './plate';
import { postcodeEvidence } from './postcode';
import { textDateEvidence } from './text-date';
import { textLines } from './text-lines';
import type { CountryEvidence, Evidence, LinkedInput, PlaceEvidence, Pin, TimeEvidence, WhereInput, WhereResult } from './types';
import { INHERIT_TIME_MIN_STRENGTH, INHERITED_FACTOR, SERIES_CAP_FACTOR, WHERE_VERSION } from './weights';
import { webEvidence } from './web-address';

export type * from './types';
export { readExifTime } from './camera-time';
export { SOURCES, GROUP_CAPS, WHERE_VERSION } from './weights';

/** How many of the countries the language points to a national phone number is tried against. */
const PHONE_HINTS = 5;

interface Own {
  evidence: Evidence[];
  pins: Pin[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The image's own evidence: its text, EXIF, known places and crowd answers (nothing inherited). */
export async function ownEvidence(input: WhereInput): Promise<Own> {
  const { clues, exif } = input;
  const now = (input.now ?? new Date()).getTime();
  const lines = textLines(clues);
  const countries: CountryEvidence[] = [];
  const places: PlaceEvidence[] = [];
  const times: TimeEvidence[] = [];
  const pins: Pin[] = [];
  if (lines.length) {
    const language = languageEvidence(lines, await loadIdentifier());
    const hints = topCountries(language, PHONE_HINTS);
    countries.push(...language, ...phoneEvidence(lines, hints), ...currencyEvidence(lines), ...webEvidence(lines), ...postcodeEvidence(lines), ...plateEvidence(lines));
    times.push(...textDateEvidence(lines, now));
  }
  countries.push(...brandEvidence(lines, clues));

  const gps = gpsOf(exif, clues);
  if (gps) {
    const g = gpsEvidence(gps);
    countries.push(...g.countries);
    places.push(...g.places);
    pins.push(...g.pins);
  }
  const raw = exif ? readExifTime(exif) : {};
  const takenClue = clues.find((c) => c.type === 'metadata' && c.detail?.field === 'takenAt');
  const takenAt = exif?.takenAt ?? exif?.DateTimeOriginal ?? takenClue?.value;
  const offset = str(exif?.takenOffset) ?? raw.takenOffset;
  const clueId = takenClue?.id;
  if (offset) countries.push(...offsetEvidence(offset, typeof takenAt === 'string' || takenAt instanceof Date ? wallClock(takenAt) : undefined, clueId));
  times.push(...cameraTimeEvidence({
    takenAt, ...(offset ? { offset } : {}), ...(str(exif?.gpsTime) ?? raw.gpsTime ? { gpsTime: str(exif?.gpsTime) ?? raw.gpsTime } : {}),
    ...(gps ? { zones: zonesAt(gps.latitude, gps.longitude) } : {}), createdAt: exif?.createdAt ?? exif?.CreateDate, now, ...(clueId ? { clueId } : {}),
  }));

  for (const located of [knownPlaceEvidence(input.places ?? placesFromClues(clues)), crowdEvidence(clues)]) {
    countries.push(...located.countries);
    places.push(...located.places);
    pins.push(...located.pins);
  }
  const image = input.sha256 ? { image: input.sha256 } : {};
  return {
    evidence: [...countries, ...places, ...times].map((e) => ({ ...e, ...image })),
    pins: pins.map((p) => ({ ...p, ...image })),
  };
}

function topCountries(evidence: CountryEvidence[], n: number): string[] {
  const sum = new Map<string, number>();
  for (const e of evidence) sum.set(e.value, (sum.get(e.value) ?? 0) + e.weight);
  return [...sum].sort((a, b) => b[1] - a[1]).slice(0, n).map(([c]) => c);
}

/** A linked image's own evidence, weaker and marked inherited; its time only through near-certain links. */
export function inherit(linked: LinkedInput[]): Evidence[] {
  return linked.flatMap((l) =>
    l.evidence
      .filter((e) => !e.inherited && (e.kind !== 'time' || l.strength >= INHERIT_TIME_MIN_STRENGTH))
      .map((e) => ({
        ...e,
        weight: Math.round(e.weight * INHERITED_FACTOR * Math.max(0, Math.min(1, l.strength)) * 1000) / 1000,
        inherited: true,
        image: l.sha256,
        why: `${e.why} (in linked image ${l.sha256.slice(0, 12)}…: ${l.reason})`,
      })),
  );
}

/** Evidence added up into the answer. `capFactor` > 1 for a series. */
export function combine(evidence: Evidence[], pins: Pin[], images: string[], capFactor = 1): WhereResult {
  const countries = rankCountries(evidence.filter((e): e is CountryEvidence => e.kind === 'country'), capFactor);
  const time = fuseTime(evidence.filter((e): e is TimeEvidence => e.kind === 'time'));
  return {
    countries,
    regions: rankRegions(evidence.filter((e): e is PlaceEvidence => e.kind === 'region' || e.kind === 'place')),
    ...(time ? { time } : {}),
    evidence,
    noEvidence: countries.length === 0,
    pins,
    images,
    version: WHERE_VERSION,
  };
}

/**
 * Where and when one image was taken: ranked countries and places, a time window, the evidence
 * behind each. With nothing that says where, `noEvidence` is true and `countries` empty.
 * @example const r = await whereAndWhen({ clues, exif: image.exif }); r.countries[0]?.country // 'PL'
 */
export async function whereAndWhen(input: WhereInput): Promise<WhereResult> {
  const own = await ownEvidence(input);
  const evidence = [...own.evidence, ...inherit(input.linked ?? [])];
  return combine(evidence, own.pins, input.sha256 ? [input.sha256] : [], 1);
}

/** A series (a connected component of links): every image's own evidence adds up, with wider caps. */
export async function whereAndWhenSeries(images: (WhereInput & { sha256: string })[]): Promise<WhereResult> {
  const owns = await Promise.all(images.map((i) => ownEvidence({ ...i, linked: [] })));
  return combine(owns.flatMap((o) => o.evidence), owns.flatMap((o) => o.pins), images.map((i) => i.sha256), SERIES_CAP_FACTOR);
}

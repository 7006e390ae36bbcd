import zoneTable from './data/zones.json';
import { countryEvidence, countryName, evenly } from './countries';
import type { CountryEvidence, TimeEvidence } from './types';
import { CAMERA_TIME_SLACK_MINUTES, SOURCES, SUSPECT_CLOCK_DAYS } from './weights';

// When, from the camera: its clock (EXIF DateTimeOriginal, a local time with no zone), the UTC
// offset it recorded (OffsetTimeOriginal, EXIF 2.31), the GPS time stamp (UTC from satellites).
// The offset also says where: the countries with a zone at that offset on that date.

const ZONES = (zoneTable as { zones: Record<string, string[]> }).zones;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** "+02:00" / "-05:30" / "Z" -> minutes east of UTC. */
export function parseOffset(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(s);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 14 * 60) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}

const formatOffset = (minutes: number) => `${minutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0')}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`;

/**
 * The time fields models/exif-reader.ts does not keep yet, from exifr's output: the UTC offset of
 * the camera time and the GPS time stamp. The lead stores them as `takenOffset` and `gpsTime`.
 */
export function readExifTime(raw: Record<string, unknown>): { takenOffset?: string; gpsTime?: string } {
  const out: { takenOffset?: string; gpsTime?: string } = {};
  const off = [raw.OffsetTimeOriginal, raw.OffsetTimeDigitized, raw.OffsetTime].find((v) => parseOffset(v) !== undefined);
  if (typeof off === 'string') out.takenOffset = formatOffset(parseOffset(off)!);
  const date = typeof raw.GPSDateStamp === 'string' ? /^(\d{4})[:-](\d{2})[:-](\d{2})$/.exec(raw.GPSDateStamp.trim()) : null;
  const t = raw.GPSTimeStamp;
  const hms = Array.isArray(t) && t.length === 3 && t.every((x) => typeof x === 'number') ? (t as number[])
    : typeof t === 'string' && /^\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?$/.test(t.trim()) ? t.split(':').map(Number) : undefined;
  if (date && hms) {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), hms[0]!, hms[1]!, Math.floor(hms[2]!));
    if (Number.isFinite(ms)) out.gpsTime = new Date(ms).toISOString();
  }
  return out;
}

/** A zone-less EXIF time ("2019-06-14T15:22:10", or exifr's Date revived as local) -> its wall-clock fields as if UTC. */
export function wallClock(v: unknown): number | undefined {
  if (v instanceof Date) {
    if (isNaN(v.getTime())) return undefined;
    return Date.UTC(v.getFullYear(), v.getMonth(), v.getDate(), v.getHours(), v.getMinutes(), v.getSeconds());
  }
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4})[-:](\d{2})[-:](\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/.exec(v.trim());
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  return Number.isFinite(ms) && Number(m[1]) > 1800 ? ms : undefined;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** Minutes east of UTC of an IANA zone at an instant (Node's ICU tz data). */
export function zoneOffset(zone: string, instant: number): number | undefined {
  let f = offsetFormats.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch {
      return undefined;
    }
    offsetFormats.set(zone, f);
  }
  const name = f.formatToParts(new Date(instant)).find((p) => p.type === 'timeZoneName')?.value ?? '';
  if (name === 'GMT') return 0;
  return parseOffset(name.replace(/^GMT/, ''));
}

/** The countries that had a zone at this UTC offset at this instant. */
export function countriesAtOffset(offset: number, instant: number): string[] {
  const out = new Set<string>();
  for (const [zone, countries] of Object.entries(ZONES)) if (zoneOffset(zone, instant) === offset) for (const c of countries) out.add(c);
  return [...out].sort();
}

export function offsetEvidence(offset: string, wall: number | undefined, clueId?: string): CountryEvidence[] {
  const minutes = parseOffset(offset);
  if (minutes === undefined) return [];
  // Without a camera time, today's offsets: daylight saving then is a guess either way.
  const instant = wall !== undefined ? wall - minutes * MINUTE : Date.now();
  const countries = countriesAtOffset(minutes, instant);
  if (!countries.length) return [];
  const named = countries.length <= 4 ? countries.map(countryName).join(', ') : `${countries.length} countries`;
  return countryEvidence('camera-offset', evenly(countries), {
    ...(clueId ? { clueId } : {}), observation: 'camera-offset', text: offset,
    why: `the camera recorded UTC${formatOffset(minutes)}${wall !== undefined ? ` on ${new Date(wall).toISOString().slice(0, 10)}` : ''}: the offset of ${named} then`,
  });
}

const iso = (ms: number) => new Date(ms).toISOString();
const window = (from: number, to: number) => ({ from: iso(from), to: iso(to) });

/** A clock that looks reset: before digital cameras, or midnight on New Year's Day (a factory default). */
export function looksReset(wall: number): boolean {
  const d = new Date(wall);
  return d.getUTCFullYear() < 1995 || (d.getUTCMonth() === 0 && d.getUTCDate() === 1 && d.getUTCHours() === 0 && d.getUTCMinutes() < 30);
}

export interface CameraTimeInput {
  takenAt?: unknown;
  offset?: string;
  gpsTime?: string;
  /** Zones at the GPS fix, to turn a zone-less camera time into UTC. */
  zones?: string[];
  createdAt?: unknown;
  now: number;
  clueId?: string;
}

function timeEvidence(source: TimeEvidence['source'], from: number, to: number, why: string, text: string, reliability = 1, clueId?: string): TimeEvidence {
  return { kind: 'time', source, value: window(from, to), weight: Math.round(SOURCES[source].weight * reliability * 1000) / 1000, observation: source, why, text, ...(clueId ? { clueId } : {}) };
}

/** Time windows from the camera clock, the GPS time stamp and the digitised/modified time. */
export function cameraTimeEvidence(t: CameraTimeInput): TimeEvidence[] {
  const out: TimeEvidence[] = [];
  const gps = t.gpsTime ? Date.parse(t.gpsTime) : NaN;
  if (Number.isFinite(gps) && gps <= t.now + DAY) out.push(timeEvidence('gps-time', gps - 2 * MINUTE, gps + 2 * MINUTE, `GPS time stamp ${t.gpsTime} (UTC from the satellites)`, t.gpsTime!));
  const wall = wallClock(t.takenAt);
  const createdWall = wallClock(t.createdAt);
  const clock = wall ?? createdWall;
  if (clock === undefined) return out;
  const source = wall !== undefined ? 'camera-time' : 'modified-time';
  const label = wall !== undefined ? 'camera time' : 'digitised/modified time';
  const text = new Date(clock).toISOString().slice(0, 19).replace('T', ' ');
  if (looksReset(clock)) {
    out.push(timeEvidence(source, clock, clock, `${label} ${text} looks like a reset clock (before 1995, or midnight on 1 January): not used`, text, 0, t.clueId));
    return out;
  }
  const offset = parseOffset(t.offset);
  const zone = t.zones?.[0];
  const zoneMinutes = offset === undefined && zone ? zoneOffset(zone, clock) : undefined;
  const known = offset ?? zoneMinutes;
  const slack = CAMERA_TIME_SLACK_MINUTES * MINUTE;
  let from: number;
  let to: number;
  let why: string;
  if (known !== undefined) {
    const utc = clock - known * MINUTE;
    from = utc - slack;
    to = utc + slack;
    why = `${label} ${text} at UTC${formatOffset(known)} (${offset !== undefined ? 'recorded by the camera' : `time zone ${zone} at the GPS fix`})`;
  } else {
    // Local time somewhere between UTC-12 and UTC+14.
    from = clock - 14 * 60 * MINUTE - slack;
    to = clock + 12 * 60 * MINUTE + slack;
    why = `${label} ${text}, time zone unknown (UTC-12 to UTC+14)`;
  }
  let reliability = 1;
  if (from > t.now + DAY) {
    out.push(timeEvidence(source, from, to, `${why}: in the future, the clock is wrong: not used`, text, 0, t.clueId));
    return out;
  }
  if (Number.isFinite(gps) && Math.abs((from + to) / 2 - gps) > DAY) {
    // The camera disagrees with the satellites: its clock is off, keep only the year around it.
    from -= SUSPECT_CLOCK_DAYS * DAY;
    to += SUSPECT_CLOCK_DAYS * DAY;
    reliability = 1 / 6;
    why += `; disagrees with the GPS time by ${Math.round(Math.abs((from + to) / 2 - gps) / DAY)} days, so the clock is suspect and the window wide`;
  }
  out.push(timeEvidence(source, from, to, why, text, reliability, t.clueId));
  return out;
}

import exifr from 'exifr';
import type { ClueInput } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import { readExifTime } from '../where/camera-time';

export interface ExifSummary {
  make?: string;
  model?: string;
  serial?: string;
  lensModel?: string;
  lensSerial?: string;
  software?: string;
  takenAt?: string;
  /** The camera's UTC offset when it took the picture (OffsetTimeOriginal), e.g. `+02:00`. */
  takenOffset?: string;
  /** The GPS receiver's UTC time, where it wrote one. */
  gpsTime?: string;
  createdAt?: string;
  latitude?: number;
  longitude?: number;
  altitude?: number;
  /** Fields cut to MAX_EXIF_CHARS characters (a longer value is kept no further). */
  truncated?: string[];
}

/**
 * Longest EXIF string kept. Real makes, models, serials and software names are tens of
 * characters; a field of 60,000 is a hostile or broken file and would bloat every record and
 * search token list it reached.
 */
export const MAX_EXIF_CHARS = 2000;

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.replace(/\0+$/, '').trim() : typeof v === 'number' ? String(v) : undefined;
const pad = (n: number) => String(n).padStart(2, '0');
// EXIF times carry no time zone (exifr revives them as local times): keep them zone-less rather
// than invent one.
const iso = (v: unknown): string | undefined =>
  v instanceof Date && !isNaN(v.getTime())
    ? `${v.getFullYear()}-${pad(v.getMonth() + 1)}-${pad(v.getDate())}T${pad(v.getHours())}:${pad(v.getMinutes())}:${pad(v.getSeconds())}`
    : str(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Camera, serial numbers, lens, times and GPS: the EXIF fields that identify a device or place. */
export async function readExif(path: string | Buffer): Promise<ExifSummary> {
  let raw: Record<string, unknown> | undefined;
  try {
    raw = await exifr.parse(path, {
      tiff: true, exif: true, gps: true, ifd1: false, interop: false,
      xmp: false, icc: false, iptc: false, makerNote: false, userComment: false,
      reviveValues: true, translateValues: false,
    });
  } catch (err) {
    // exifr throws on formats it does not know (e.g. some PNGs): that is "no EXIF", not a failure.
    if (err instanceof Error && /unknown file format|invalid input/i.test(err.message)) return {};
    throw err;
  }
  if (!raw) return {};
  const summary: ExifSummary = {
    make: str(raw.Make),
    model: str(raw.Model),
    serial: str(raw.BodySerialNumber) ?? str(raw.SerialNumber) ?? str(raw.CameraSerialNumber),
    lensModel: str(raw.LensModel) ?? str(raw.LensMake),
    lensSerial: str(raw.LensSerialNumber),
    software: str(raw.Software),
    takenAt: iso(raw.DateTimeOriginal),
    ...readExifTime(raw),
    createdAt: iso(raw.CreateDate) ?? iso(raw.ModifyDate),
    latitude: num(raw.latitude),
    longitude: num(raw.longitude),
    altitude: num(raw.GPSAltitude),
  };
  const truncated: string[] = [];
  for (const [field, v] of Object.entries(summary)) {
    if (typeof v === 'string' && v.length > MAX_EXIF_CHARS) {
      // Not through the middle of a surrogate pair: half a character is not valid UTF-8.
      (summary as Record<string, unknown>)[field] = v.slice(0, MAX_EXIF_CHARS).replace(/[\uD800-\uDBFF]$/, '');
      truncated.push(field);
    }
  }
  if (truncated.length) summary.truncated = truncated;
  return Object.fromEntries(Object.entries(summary).filter(([, v]) => v !== undefined)) as ExifSummary;
}

function clue(field: string, value: string, detail: Record<string, unknown> = {}): ClueInput {
  return { type: 'metadata', value, tokens: uniqueTokens(value), score: 1, detail: { field, ...detail } };
}

/** EXIF fields an analyst links images by become clues. */
export function exifClues(e: ExifSummary): ClueInput[] {
  const out: ClueInput[] = [];
  // A clue made from a cut field says so.
  const cut = (...fields: (keyof ExifSummary)[]) => (fields.some((f) => e.truncated?.includes(f)) ? { truncated: true } : {});
  // Many makers repeat the make in the model ("Canon" + "Canon EOS 5D").
  const camera = e.make && e.model?.toLowerCase().startsWith(e.make.toLowerCase()) ? e.model : [e.make, e.model].filter(Boolean).join(' ');
  if (camera) out.push(clue('camera', camera, cut('make', 'model')));
  if (e.serial) out.push(clue('serial', e.serial, cut('serial')));
  if (e.lensModel) out.push(clue('lens', e.lensModel, { ...(e.lensSerial ? { lensSerial: e.lensSerial } : {}), ...cut('lensModel', 'lensSerial') }));
  if (e.software) out.push(clue('software', e.software, cut('software')));
  if (e.takenAt) out.push(clue('takenAt', e.takenAt, cut('takenAt')));
  if (e.latitude !== undefined && e.longitude !== undefined) {
    out.push(clue('gps', `${e.latitude.toFixed(6)},${e.longitude.toFixed(6)}`, { latitude: e.latitude, longitude: e.longitude }));
  }
  return out;
}

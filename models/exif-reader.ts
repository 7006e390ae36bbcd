import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import exifr from 'exifr';
import type { ClueInput } from '../core/clues';
import { ftypBrands } from './heif-decoder';
import { heifExifTiff } from './heif-exif';
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

const OPTIONS = {
  tiff: true, exif: true, gps: true, ifd1: false, interop: false,
  xmp: false, icc: false, iptc: false, makerNote: false, userComment: false,
  reviveValues: true, translateValues: false,
} as const;

/**
 * How the EXIF is found. exifr, given a path, reads the file in chunks and gives up when what
 * lies before the EXIF is a segment it was not asked to read: an ICC profile (a JFIF file saved
 * by an editor: JFIF, ICC, then EXIF), a long XMP packet or comment. It also reads only the first
 * of several EXIF segments. So a JPEG's segments are walked here, every EXIF segment is handed to
 * exifr on its own, and their fields are merged, the first segment's first. A HEIF file's Exif
 * item is found here too (heif-exif.ts). Other formats (PNG, TIFF, WebP) are read from memory
 * whole, where exifr finds their EXIF wherever it lies.
 */
export const EXIF_READER_REVISION = 'segments-1';

/** Bytes of a JPEG's segments walked before the image data; a phone's run to a few hundred KB. */
const MAX_JPEG_HEADER = 32 << 20;
/** A file other than a JPEG is read whole into memory up to this size to find its EXIF. */
const MAX_WHOLE_FILE = 256 << 20;

async function readAt(fh: FileHandle, at: number, n: number): Promise<Buffer> {
  const b = Buffer.alloc(n);
  const { bytesRead } = await fh.read(b, 0, n, at);
  return b.subarray(0, bytesRead);
}

/** The TIFF payload of every APP1 Exif segment before a JPEG's image data; null if not a JPEG. */
async function jpegExifSegments(src: string | Buffer): Promise<Buffer[] | null> {
  const fh = typeof src === 'string' ? await open(src, 'r') : null;
  const bytes = typeof src === 'string' ? null : src;
  const read = (at: number, n: number) => (fh ? readAt(fh, at, n) : Promise.resolve(bytes!.subarray(at, at + n)));
  try {
    const soi = await read(0, 2);
    if (soi.length < 2 || soi[0] !== 0xff || soi[1] !== 0xd8) return null;
    const out: Buffer[] = [];
    let at = 2;
    while (at < MAX_JPEG_HEADER) {
      const head = await read(at, 4);
      if (head.length < 4 || head[0] !== 0xff) break; // cut, or not a marker: no more segments
      const marker = head[1]!;
      if (marker === 0xff) {
        at += 1; // fill byte
        continue;
      }
      // Start of scan or end of image: the segments are over. Standalone markers carry no length.
      if (marker === 0xda || marker === 0xd9) break;
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        at += 2;
        continue;
      }
      const length = head.readUInt16BE(2);
      if (length < 2) break;
      if (marker === 0xe1 && length > 8) {
        const payload = await read(at + 4, length - 2);
        if (payload.subarray(0, 6).toString('latin1') === 'Exif\0\0') out.push(payload.subarray(6));
      }
      at += 2 + length;
    }
    return out;
  } finally {
    await fh?.close();
  }
}

async function parse(input: string | Buffer): Promise<Record<string, unknown> | undefined> {
  try {
    return (await exifr.parse(input, OPTIONS)) as Record<string, unknown> | undefined;
  } catch (err) {
    // exifr throws on formats it does not know (e.g. some PNGs): that is "no EXIF", not a failure.
    if (err instanceof Error && /unknown file format|invalid input/i.test(err.message)) return undefined;
    throw err;
  }
}

/** The raw EXIF tags of each EXIF block of the image, in file order. */
async function rawBlocks(path: string | Buffer): Promise<Record<string, unknown>[]> {
  const segments = await jpegExifSegments(path);
  if (segments) {
    const blocks: Record<string, unknown>[] = [];
    for (const tiff of segments) {
      // A damaged block is no EXIF; the others still count.
      const raw = await parse(tiff).catch(() => undefined);
      if (raw) blocks.push(raw);
    }
    return blocks;
  }
  let input: string | Buffer = path;
  if (typeof path === 'string') {
    const { size } = await stat(path);
    if (size <= MAX_WHOLE_FILE) input = await readFile(path);
  }
  // HEIF (HEIC, AVIF): its Exif item, read here (heif-exif.ts); exifr's reader where it has none.
  const tiff = Buffer.isBuffer(input) && ftypBrands(input).length ? heifExifTiff(input) : undefined;
  const raw = tiff ? await parse(tiff).catch(() => undefined) : await parse(input);
  return raw ? [raw] : [];
}

function summaryOf(raw: Record<string, unknown>): ExifSummary {
  return {
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
}

/** Camera, serial numbers, lens, times and GPS: the EXIF fields that identify a device or place. */
export async function readExif(path: string | Buffer): Promise<ExifSummary> {
  const summary: ExifSummary = {};
  // Field by field, the first block that has it (GPS as a pair, from one block).
  for (const block of (await rawBlocks(path)).map(summaryOf)) {
    const gps = summary.latitude !== undefined && summary.longitude !== undefined;
    for (const [field, v] of Object.entries(block) as [keyof ExifSummary, unknown][]) {
      if (v === undefined || summary[field] !== undefined) continue;
      if ((field === 'latitude' || field === 'longitude') && (gps || block.latitude === undefined || block.longitude === undefined)) continue;
      (summary as Record<string, unknown>)[field] = v;
    }
  }
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

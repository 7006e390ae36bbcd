import sharp from 'sharp';

// JPEGs laid out as cameras, phones and editors write them: the markers before the image data
// (JFIF, EXIF, XMP, ICC profiles in one or many segments, MPF) in any order, written byte by
// byte so that a test controls exactly where the EXIF lies.

export interface ExifFields {
  make?: string;
  model?: string;
  software?: string;
  /** IFD0 DateTime (a re-saving editor writes it), `YYYY:MM:DD HH:MM:SS`. */
  dateTime?: string;
  /** Exif IFD DateTimeOriginal. */
  dateTimeOriginal?: string;
  serial?: string;
  gps?: { lat: number; lon: number };
}

type Entry = { tag: number; type: 2 | 3 | 4 | 5; values: string | number[] };

const TYPE_SIZE = { 2: 1, 3: 2, 4: 4, 5: 8 } as const;

/** One IFD at `offset` of a little-endian TIFF, with its out-of-line values after it. */
function ifd(entries: Entry[], offset: number, next = 0): Buffer {
  entries.sort((a, b) => a.tag - b.tag);
  const head = 2 + entries.length * 12 + 4;
  const extra: Buffer[] = [];
  let extraAt = offset + head;
  const out = Buffer.alloc(head);
  out.writeUInt16LE(entries.length, 0);
  entries.forEach((e, i) => {
    const at = 2 + i * 12;
    let data: Buffer;
    let count: number;
    if (e.type === 2) {
      data = Buffer.from(`${e.values as string}\0`, 'latin1');
      count = data.length;
    } else {
      const values = e.values as number[];
      count = e.type === 5 ? values.length / 2 : values.length;
      data = Buffer.alloc(values.length * (e.type === 5 ? 4 : TYPE_SIZE[e.type]));
      values.forEach((v, k) => (e.type === 3 ? data.writeUInt16LE(v, k * 2) : data.writeUInt32LE(v, k * 4)));
    }
    out.writeUInt16LE(e.tag, at);
    out.writeUInt16LE(e.type, at + 2);
    out.writeUInt32LE(count, at + 4);
    if (data.length <= 4) data.copy(out, at + 8);
    else {
      out.writeUInt32LE(extraAt, at + 8);
      const padded = data.length % 2 ? Buffer.concat([data, Buffer.alloc(1)]) : data;
      extra.push(padded);
      extraAt += padded.length;
    }
  });
  out.writeUInt32LE(next, head - 4);
  return Buffer.concat([out, ...extra]);
}

const rational = (deg: number) => {
  const d = Math.floor(deg);
  const m = Math.floor((deg - d) * 60);
  const s = Math.round(((deg - d) * 60 - m) * 60 * 1000);
  return [d, 1, m, 1, s, 1000];
};

/** A little-endian TIFF holding IFD0, the Exif IFD and the GPS IFD with these fields. */
export function tiffOf(f: ExifFields): Buffer {
  const ifd0: Entry[] = [];
  if (f.make) ifd0.push({ tag: 0x010f, type: 2, values: f.make });
  if (f.model) ifd0.push({ tag: 0x0110, type: 2, values: f.model });
  if (f.software) ifd0.push({ tag: 0x0131, type: 2, values: f.software });
  if (f.dateTime) ifd0.push({ tag: 0x0132, type: 2, values: f.dateTime });
  const exif: Entry[] = [{ tag: 0x9000, type: 2, values: '0232' }];
  if (f.dateTimeOriginal) exif.push({ tag: 0x9003, type: 2, values: f.dateTimeOriginal });
  if (f.serial) exif.push({ tag: 0xa431, type: 2, values: f.serial });
  const gps: Entry[] = f.gps
    ? [
        { tag: 0x0000, type: 4, values: [0x02030000] },
        { tag: 0x0001, type: 2, values: f.gps.lat >= 0 ? 'N' : 'S' },
        { tag: 0x0002, type: 5, values: rational(Math.abs(f.gps.lat)) },
        { tag: 0x0003, type: 2, values: f.gps.lon >= 0 ? 'E' : 'W' },
        { tag: 0x0004, type: 5, values: rational(Math.abs(f.gps.lon)) },
      ]
    : [];
  // Pointers are placeholders first: the sizes of IFD0 and the Exif IFD fix the offsets.
  const pointers = (exifAt: number, gpsAt: number): Entry[] => [{ tag: 0x8769, type: 4, values: [exifAt] }, ...(gps.length ? [{ tag: 0x8825, type: 4 as const, values: [gpsAt] }] : [])];
  const size0 = ifd([...ifd0, ...pointers(0, 0)], 8).length;
  const exifAt = 8 + size0;
  const sizeExif = ifd([...exif], exifAt).length;
  const gpsAt = exifAt + sizeExif;
  const header = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]);
  return Buffer.concat([header, ifd([...ifd0, ...pointers(exifAt, gpsAt)], 8), ifd(exif, exifAt), ...(gps.length ? [ifd(gps, gpsAt)] : [])]);
}

/** One marker segment: FF xx, a 2-byte length that counts itself, the payload. */
export function segment(marker: number, payload: Buffer): Buffer {
  if (payload.length + 2 > 0xffff) throw new Error(`segment too long: ${payload.length}`);
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

export const jfif = () => segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x01, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00]));
export const exifApp1 = (f: ExifFields) => segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiffOf(f)]));
export const xmpApp1 = (extra = 0) =>
  segment(
    0xe1,
    Buffer.from(
      `http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Editor"/></rdf:RDF></x:xmpmeta>${' '.repeat(extra)}`,
      'latin1',
    ),
  );

/** An ICC profile of `bytes` bytes in as many APP2 segments as it takes (65,519 bytes of profile each). */
export function iccApp2(bytes: number): Buffer[] {
  const profile = Buffer.alloc(bytes, 0x20);
  profile.writeUInt32BE(bytes, 0);
  profile.write('acsp', 36, 'latin1');
  const per = 65_519;
  const n = Math.ceil(bytes / per);
  return Array.from({ length: n }, (_, i) => segment(0xe2, Buffer.concat([Buffer.from('ICC_PROFILE\0', 'latin1'), Buffer.from([i + 1, n]), profile.subarray(i * per, (i + 1) * per)])));
}

/** A Multi-Picture Format index (phones write it for their depth or preview images). */
export function mpfApp2(): Buffer {
  const tiff = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xb0, 0x07, 0x00, 0x04, 0x00, 0x00, 0x00, 0x30, 0x31, 0x30, 0x30, 0x00, 0x00, 0x00, 0x00]);
  return segment(0xe2, Buffer.concat([Buffer.from('MPF\0', 'latin1'), tiff]));
}

/** A comment (COM) segment of `bytes` bytes: editors write them, some before the EXIF. */
export const comment = (bytes: number) => segment(0xfe, Buffer.alloc(bytes, 0x41));

/** A small real JPEG whose header segments are exactly `segments`, in that order. */
export async function jpegWith(segments: Buffer[], size = { width: 64, height: 48 }): Promise<Buffer> {
  const plain = await sharp({ create: { ...size, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
  // Drop what the encoder wrote before the first table (its own APP0): keep DQT onwards.
  let at = 2;
  while (plain[at] === 0xff && plain[at + 1]! >= 0xe0 && plain[at + 1]! <= 0xef) at += 2 + plain.readUInt16BE(at + 2);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), ...segments, plain.subarray(at)]);
}

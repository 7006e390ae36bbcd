// The EXIF of a HEIF file (HEIC, AVIF): its `Exif` item, found through the `meta` box's item
// info (`iinf`) and item locations (`iloc`), wherever the writer put its bytes (in the file at a
// base offset, in several extents, or inside `idat`). exifr's own HEIF reader ignores base
// offsets and `idat`, and misread the files libheif's encoder writes ("Malformed EXIF data").

interface Box {
  type: string;
  /** Where the box's content starts (after its header). */
  start: number;
  end: number;
}

function boxes(b: Buffer, start: number, end: number): Box[] {
  const out: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    let size = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    let head = 8;
    if (size === 1) {
      if (at + 16 > end) break;
      size = Number(b.readBigUInt64BE(at + 8));
      head = 16;
    } else if (size === 0) size = end - at;
    if (size < head || at + size > end) break;
    out.push({ type, start: at + head, end: at + size });
    at += size;
  }
  return out;
}

function uint(b: Buffer, at: number, bytes: number): number {
  if (bytes === 0) return 0;
  if (at + bytes > b.length) throw new RangeError('outside the file');
  return bytes === 8 ? Number(b.readBigUInt64BE(at)) : b.readUIntBE(at, bytes);
}

/** The item id of the first `Exif` item in `iinf`. */
function exifItemId(b: Buffer, iinf: Box): number | undefined {
  const version = b[iinf.start]!;
  const countSize = version === 0 ? 2 : 4;
  const entries = boxes(b, iinf.start + 4 + countSize, iinf.end);
  for (const infe of entries.filter((e) => e.type === 'infe')) {
    const v = b[infe.start]!;
    if (v < 2) continue;
    const idSize = v === 3 ? 4 : 2;
    const id = uint(b, infe.start + 4, idSize);
    if (b.toString('latin1', infe.start + 4 + idSize + 2, infe.start + 4 + idSize + 6) === 'Exif') return id;
  }
  return undefined;
}

/** The bytes of item `id` as `iloc` places them. */
function itemBytes(b: Buffer, iloc: Box, idat: Box | undefined, id: number): Buffer | undefined {
  const version = b[iloc.start]!;
  let at = iloc.start + 4;
  const offsetSize = b[at]! >> 4;
  const lengthSize = b[at]! & 0xf;
  const baseSize = b[at + 1]! >> 4;
  const indexSize = version === 1 || version === 2 ? b[at + 1]! & 0xf : 0;
  at += 2;
  const count = uint(b, at, version < 2 ? 2 : 4);
  at += version < 2 ? 2 : 4;
  for (let i = 0; i < count; i++) {
    const itemId = uint(b, at, version < 2 ? 2 : 4);
    at += version < 2 ? 2 : 4;
    const method = version === 1 || version === 2 ? uint(b, at, 2) & 0xf : 0;
    if (version === 1 || version === 2) at += 2;
    at += 2; // data_reference_index
    const base = uint(b, at, baseSize);
    at += baseSize;
    const extents = uint(b, at, 2);
    at += 2;
    const parts: Buffer[] = [];
    for (let e = 0; e < extents; e++) {
      at += indexSize;
      const offset = uint(b, at, offsetSize);
      at += offsetSize;
      const length = uint(b, at, lengthSize);
      at += lengthSize;
      if (itemId !== id) continue;
      const from = method === 1 ? (idat ? idat.start : NaN) + base + offset : base + offset;
      const to = length === 0 ? (method === 1 ? idat!.end : b.length) : from + length;
      if (!Number.isFinite(from) || to > b.length || from > to) return undefined;
      parts.push(b.subarray(from, to));
    }
    if (itemId === id) return Buffer.concat(parts);
  }
  return undefined;
}

/** The TIFF block of a HEIF file's EXIF, or undefined where it has none (or it is damaged). */
export function heifExifTiff(b: Buffer): Buffer | undefined {
  try {
    const meta = boxes(b, 0, b.length).find((x) => x.type === 'meta');
    if (!meta) return undefined;
    const inner = boxes(b, meta.start + 4, meta.end); // meta is a full box
    const iinf = inner.find((x) => x.type === 'iinf');
    const iloc = inner.find((x) => x.type === 'iloc');
    if (!iinf || !iloc) return undefined;
    const id = exifItemId(b, iinf);
    if (id === undefined) return undefined;
    const item = itemBytes(b, iloc, inner.find((x) => x.type === 'idat'), id);
    if (!item || item.length < 12) return undefined;
    // The item starts with the offset of the TIFF header after these 4 bytes (often past "Exif\0\0").
    let tiff = item.subarray(4 + item.readUInt32BE(0));
    if (tiff.toString('latin1', 0, 6) === 'Exif\0\0') tiff = tiff.subarray(6);
    const order = tiff.toString('latin1', 0, 2);
    return order === 'II' || order === 'MM' ? tiff : undefined;
  } catch {
    return undefined;
  }
}

import { stat } from 'node:fs/promises';
import sharp, { type FormatEnum, type Metadata } from 'sharp';
import type { Box, ImageInfo } from '../core/clues';
import { claimsMorePixels, decodeReason } from './decode-reason';
import { decodeHeic, fileHead, isHevcHeif } from './heif-decoder';
import type { RgbImage } from './tiles';

sharp.cache(false); // a worker sees each image once; libvips' cache only grows RSS

export type InvalidImageCode = 'missing' | 'empty' | 'too-large' | 'undecodable' | 'changed';

/** The image itself is bad: retrying cannot help. */
export class InvalidImageError extends Error {
  constructor(
    readonly code: InvalidImageCode,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidImageError';
  }
}

/** A file path, or the bytes of an image kept in a blob store. */
export type ImageSource = string | Buffer;

export interface DecodedImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
  /** Original (oriented) size over decoded size: multiply boxes by it to map them back. */
  scale: number;
}

async function fileSize(path: ImageSource): Promise<number> {
  if (Buffer.isBuffer(path)) return path.length;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new InvalidImageError('missing', `not a regular file: ${path}`);
    return s.size;
  } catch (err) {
    if (err instanceof InvalidImageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InvalidImageError('missing', `file not found: ${path}`);
    throw err; // EACCES on a flaky mount etc.: let the caller retry
  }
}

/** A decode failure as this image's InvalidImageError, never with another image's reason (decode-reason.ts). */
async function decodeError(err: unknown, maxPixels: number, src: ImageSource): Promise<InvalidImageError> {
  const msg = err instanceof Error ? err.message : String(err);
  // Asked of the header, not of the message (which may be another image's).
  if (await claimsMorePixels(src, maxPixels)) {
    return new InvalidImageError('too-large', `image exceeds the pixel limit of ${maxPixels} (decompression bomb guard)`);
  }
  return new InvalidImageError('undecodable', `cannot decode image: ${await decodeReason(msg, src)}`);
}

/**
 * What sharp reads for an image: the file itself, or, for a format its libvips lacks (HEIC),
 * pixels decoded here once (heif-decoder.ts), already oriented. JPEG XL is refused by name.
 */
export interface Readable {
  input: ImageSource;
  raw?: { width: number; height: number; channels: 4 };
  /** The format sharp cannot name for decoded pixels. */
  format?: string;
}

const isJpegXl = (b: Buffer) => (b[0] === 0xff && b[1] === 0x0a) || b.subarray(0, 12).equals(Buffer.from([0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a]));

export async function readable(path: ImageSource, maxPixels: number): Promise<Readable> {
  if (typeof path === 'string') await fileSize(path);
  const head = await fileHead(path).catch(() => Buffer.alloc(0));
  if (isJpegXl(head)) throw new InvalidImageError('undecodable', 'JPEG XL is not supported: convert it to PNG (lossless, e.g. with djxl) to process it');
  if (!isHevcHeif(head)) return { input: path };
  try {
    const px = await decodeHeic(path, maxPixels);
    return { input: px.data, raw: { width: px.width, height: px.height, channels: 4 }, format: 'heic' };
  } catch (err) {
    throw await decodeError(err, maxPixels, path);
  }
}

function pipeline(src: ImageSource | Readable, maxPixels: number): ReturnType<typeof sharp> {
  const r: Readable = typeof src === 'string' || Buffer.isBuffer(src) ? { input: src } : src;
  // failOn 'warning' turns truncated JPEGs into errors instead of grey-filled images.
  return sharp(r.input, { limitInputPixels: maxPixels, failOn: 'warning', sequentialRead: true, ...(r.raw ? { raw: r.raw } : {}) });
}

/** sharp's metadata, with the format of pixels decoded here. */
async function metadataOf(r: Readable, maxPixels: number): Promise<Metadata> {
  const meta = await pipeline(r, maxPixels).metadata();
  return r.format ? { ...meta, format: r.format as keyof FormatEnum } : meta;
}

/** Decodes the whole image once to prove it is sound, and reports what it is. */
export async function probeImage(path: ImageSource, maxPixels: number): Promise<ImageInfo> {
  const bytes = await fileSize(path);
  if (bytes === 0) throw new InvalidImageError('empty', 'file is empty (0 bytes)');
  const src = await readable(path, maxPixels);
  try {
    const meta = await metadataOf(src, maxPixels);
    if (!meta.width || !meta.height || !meta.format) throw new Error('no image dimensions found');
    if (meta.width * meta.height > maxPixels) throw new Error('Input image exceeds pixel limit');
    // Full decode at reduced size: truncation shows up only when every scanline is read.
    await pipeline(src, maxPixels).rotate().resize(256, 256, { fit: 'inside' }).raw().toBuffer();
    const swapped = (meta.orientation ?? 1) >= 5;
    return {
      width: swapped ? meta.height : meta.width,
      height: swapped ? meta.width : meta.height,
      format: meta.format,
      bytes,
      ...(meta.orientation ? { orientation: meta.orientation } : {}),
    };
  } catch (err) {
    throw await decodeError(err, maxPixels, path);
  }
}

/** A whole image decoded once: what it is, and its oriented RGB pixels within `maxDecoded` pixels. */
export interface FullDecode {
  info: ImageInfo;
  rgb: RgbImage;
  /** Original (oriented) width over decoded width. */
  scale: number;
}

/**
 * Decodes every scanline (truncation and corruption show up only so) into oriented RGB, reduced
 * to at most `maxDecoded` pixels: the one decode of an image that every stage then reads.
 */
export async function decodeImage(path: ImageSource, maxPixels: number, maxDecoded: number): Promise<FullDecode> {
  const bytes = await fileSize(path);
  if (bytes === 0) throw new InvalidImageError('empty', 'file is empty (0 bytes)');
  const src = await readable(path, maxPixels);
  try {
    const meta = await metadataOf(src, maxPixels);
    if (!meta.width || !meta.height || !meta.format) throw new Error('no image dimensions found');
    if (meta.width * meta.height > maxPixels) throw new Error('Input image exceeds pixel limit');
    const swapped = (meta.orientation ?? 1) >= 5;
    const width = swapped ? meta.height : meta.width;
    const height = swapped ? meta.width : meta.height;
    let img = pipeline(src, maxPixels).rotate().removeAlpha().toColourspace('srgb');
    if (width * height > maxDecoded) {
      const k = Math.sqrt(maxDecoded / (width * height));
      img = img.resize(Math.max(1, Math.floor(width * k)), Math.max(1, Math.floor(height * k)), { fit: 'fill' });
    }
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
    return {
      info: { width, height, format: meta.format, bytes, ...(meta.orientation ? { orientation: meta.orientation } : {}), ...((meta.pages ?? 1) > 1 ? { pages: meta.pages } : {}) },
      rgb: { data, width: info.width, height: info.height },
      scale: width / info.width,
    };
  } catch (err) {
    throw await decodeError(err, maxPixels, path);
  }
}

/** One frame or page (0-based) of a multi-page file, oriented, as PNG. */
export async function framePng(path: ImageSource, maxPixels: number, page: number): Promise<Buffer> {
  try {
    return await sharp(path, { limitInputPixels: maxPixels, failOn: 'warning', page }).rotate().png({ compressionLevel: 1 }).toBuffer();
  } catch (err) {
    throw await decodeError(err, maxPixels, path);
  }
}

const raw = (img: RgbImage) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });

/** Decoded pixels reduced so that the longest (`inside`) or shortest (`outside`) side is at most `side`. */
export async function resizeRgb(img: RgbImage, side: number, fit: 'inside' | 'outside' = 'inside'): Promise<RgbImage> {
  const k = Math.min(1, side / (fit === 'inside' ? Math.max(img.width, img.height) : Math.min(img.width, img.height)));
  if (k === 1) return img;
  const width = Math.max(1, Math.round(img.width * k));
  const height = Math.max(1, Math.round(img.height * k));
  return { data: await raw(img).resize(width, height, { fit: 'fill' }).raw().toBuffer(), width, height };
}

/** Greyscale of decoded pixels, longest side at most `side`. */
export async function grayOf(img: RgbImage, side: number): Promise<{ data: Buffer; width: number; height: number }> {
  const small = await resizeRgb(img, side);
  const data = await raw(small).greyscale().raw().toBuffer();
  return { data, width: small.width, height: small.height };
}

/** Padded JPEG crops of decoded pixels; boxes and results in the same pixels. */
export async function cropsOf(img: RgbImage, boxes: Box[], padding: number): Promise<{ box: Box; jpeg: Buffer }[]> {
  const out: { box: Box; jpeg: Buffer }[] = [];
  for (const box of boxes) {
    const px = Math.round(box.w * padding);
    const py = Math.round(box.h * padding);
    const left = Math.max(0, Math.round(box.x) - px);
    const top = Math.max(0, Math.round(box.y) - py);
    const width = Math.min(img.width, Math.round(box.x + box.w) + px) - left;
    const height = Math.min(img.height, Math.round(box.y + box.h) + py) - top;
    if (width < 1 || height < 1) throw new InvalidImageError('undecodable', `crop outside the image: ${JSON.stringify(box)}`);
    out.push({ box: { x: left, y: top, w: width, h: height }, jpeg: await raw(img).extract({ left, top, width, height }).jpeg({ quality: 90 }).toBuffer() });
  }
  return out;
}


/**
 * RGB pixels after EXIF orientation. `maxSide` downsizes large images (never enlarges): with fit
 * `inside` the longest side is at most maxSide, with `outside` the shortest is.
 */
export async function decodeRgb(path: ImageSource, maxPixels: number, maxSide?: number, fit: 'inside' | 'outside' = 'inside'): Promise<DecodedImage> {
  const src = await readable(path, maxPixels);
  try {
    const meta = await metadataOf(src, maxPixels);
    const originalWidth = ((meta.orientation ?? 1) >= 5 ? meta.height : meta.width) ?? 0;
    let img = pipeline(src, maxPixels).rotate().removeAlpha().toColourspace('srgb');
    if (maxSide) img = img.resize(maxSide, maxSide, { fit, withoutEnlargement: true });
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
    return { data, width: info.width, height: info.height, channels: 3, scale: originalWidth / info.width };
  } catch (err) {
    throw await decodeError(err, maxPixels, path);
  }
}

/** RGB pixels scaled by `factor` (< 1): an image too big to tile in full. */
export async function scaleRgb(img: RgbImage, factor: number): Promise<RgbImage> {
  const width = Math.max(1, Math.round(img.width * factor));
  const height = Math.max(1, Math.round(img.height * factor));
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(width, height, { fit: 'fill' }).raw().toBuffer();
  return { data, width, height };
}


/** Greyscale pixels after EXIF orientation, longest side at most `maxSide`. */
export async function decodeGray(path: ImageSource, maxPixels: number, maxSide: number): Promise<{ data: Buffer; width: number; height: number; scale: number }> {
  const src = await readable(path, maxPixels);
  try {
    const meta = await metadataOf(src, maxPixels);
    const originalWidth = ((meta.orientation ?? 1) >= 5 ? meta.height : meta.width) ?? 0;
    const { data, info } = await pipeline(src, maxPixels)
      .rotate()
      .greyscale()
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, scale: originalWidth / info.width };
  } catch (err) {
    throw await decodeError(err, maxPixels, path);
  }
}

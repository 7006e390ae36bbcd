import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';

// HEIC, the iPhone's default format, is HEIF with HEVC-coded pixels. The libvips inside sharp
// reads HEIF with AV1 (AVIF) but has no HEVC decoder, so sharp failed such files with "bad seek",
// which reads like damage. libheif with libde265 (built to WebAssembly: the npm package
// libheif-js, through heic-decode) decodes them here, in the process that calls it (the engine
// process for evidence): no native code beyond Node's, and nothing is fetched.

/** Brands (in the `ftyp` box) that mean HEVC-coded images. */
const HEVC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']);

/** The major and compatible brands of an ISO-BMFF file's `ftyp` box, from its first bytes. */
export function ftypBrands(head: Buffer): string[] {
  if (head.length < 16 || head.toString('latin1', 4, 8) !== 'ftyp') return [];
  const size = Math.min(head.readUInt32BE(0), head.length);
  const brands = [head.toString('latin1', 8, 12)];
  for (let at = 16; at + 4 <= size; at += 4) brands.push(head.toString('latin1', at, at + 4));
  return brands;
}

/** HEIF whose images are HEVC-coded (HEIC), which only libheif here can decode. */
export const isHevcHeif = (head: Buffer): boolean => ftypBrands(head).some((b) => HEVC_BRANDS.has(b));

/** The first bytes of a file (a FIFO is not waited for). */
export async function fileHead(src: string | Buffer, n = 64): Promise<Buffer> {
  if (Buffer.isBuffer(src)) return src.subarray(0, n);
  const fh = await open(src, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const b = Buffer.alloc(n);
    const { bytesRead } = await fh.read(b, 0, n, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export interface HeifPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 4;
}

type HeicDecode = ((input: { buffer: Buffer }) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>) & {
  all: (input: { buffer: Buffer }) => Promise<{ width: number; height: number; decode: () => Promise<{ data: Uint8ClampedArray }> }[] & { dispose: () => void }>;
};

let decoder: HeicDecode | undefined;

/**
 * The primary image of a HEIC file as oriented RGBA (libheif applies the file's rotation and
 * mirroring). Its size is checked against `maxPixels` before any pixel is decoded.
 */
export async function decodeHeic(src: string | Buffer, maxPixels: number): Promise<HeifPixels> {
  const bytes = Buffer.isBuffer(src) ? src : await readFile(src);
  decoder ??= require('heic-decode') as HeicDecode;
  const images = await decoder.all({ buffer: bytes });
  try {
    const first = images[0];
    if (!first) throw new Error('HEIF file holds no image');
    if (first.width * first.height > maxPixels) throw new Error('Input image exceeds pixel limit');
    const { data } = await first.decode();
    return { data: Buffer.from(data.buffer, data.byteOffset, data.byteLength), width: first.width, height: first.height, channels: 4 };
  } finally {
    images.dispose();
  }
}

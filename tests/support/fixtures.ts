import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

export const SAMPLES = join(__dirname, '..', '..', 'samples');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `clues-${prefix}-`));
}

/** A sample with one random pixel changed: same picture, new SHA-256, so tests never collide. */
export async function uniqueCopy(sample: string, dir: string, name = sample): Promise<string> {
  const out = join(dir, name.replace(/\.\w+$/, '.png'));
  const [r, g, b] = randomBytes(3);
  await sharp(join(SAMPLES, sample))
    .composite([{ input: { create: { width: 1, height: 1, channels: 3, background: { r: r!, g: g!, b: b! } } }, left: 0, top: 0 }])
    .png()
    .toFile(out);
  return out;
}

/**
 * The coffee photo on a wider table: its cup is the whole picture otherwise, and a crop that
 * covers most of an image is refused by screening (core/crop-screening.ts). New SHA-256 each time.
 */
export async function cupOnTable(dir: string, name = 'cup.png'): Promise<string> {
  const out = join(dir, name.replace(/\.\w+$/, '.png'));
  const [r, g, b] = randomBytes(3);
  await sharp(join(SAMPLES, 'coffee.png'))
    .extend({ top: 150, bottom: 150, left: 200, right: 200, background: { r: 196, g: 178, b: 150 } })
    .composite([{ input: { create: { width: 1, height: 1, channels: 3, background: { r: r!, g: g!, b: b! } } }, left: 0, top: 0 }])
    .png()
    .toFile(out);
  return out;
}

/** Text rendered onto a photo, with a known answer. */
export async function textOnPhoto(sample: string, text: string, dir: string, name: string): Promise<string> {
  const meta = await sharp(join(SAMPLES, sample)).metadata();
  const w = meta.width!;
  // Bold DejaVu capitals are about 0.72 em wide: size the text to fit the photo.
  const size = Math.min(64, Math.floor((w - 40) / (text.length * 0.72)));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="120">
    <rect x="0" y="0" width="${w}" height="120" fill="white"/>
    <text x="20" y="85" font-family="DejaVu Sans" font-weight="bold" font-size="${size}" fill="black">${text}</text></svg>`;
  const out = join(dir, name);
  await sharp(join(SAMPLES, sample)).composite([{ input: Buffer.from(svg), left: 0, top: 20 }]).png().toFile(out);
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A tiny PNG whose header claims width x height pixels: a decompression bomb's shape. */
export function pixelBomb(path: string, width = 30000, height = 30000): string {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const row = deflateSync(Buffer.alloc(width + 1));
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', row), chunk('IEND', Buffer.alloc(0))]);
  writeFileSync(path, png);
  return path;
}

/** The bad inputs every ingest must survive, each with the reason it should be rejected for. */
export async function badInputs(dir: string): Promise<{ path: string; expect: RegExp }[]> {
  const zero = join(dir, 'zero-bytes.jpg');
  writeFileSync(zero, Buffer.alloc(0));
  const jpeg = await sharp(join(SAMPLES, 'chelsea.png')).jpeg({ quality: 90 }).toBuffer();
  const truncated = join(dir, 'truncated.jpg');
  writeFileSync(truncated, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  const random = join(dir, 'random-bytes.jpg');
  writeFileSync(random, randomBytes(4096));
  const bomb = pixelBomb(join(dir, 'pixel-bomb.png'));
  return [
    { path: zero, expect: /empty/ },
    { path: truncated, expect: /cannot decode/ },
    { path: random, expect: /cannot decode/ },
    { path: bomb, expect: /pixel limit/ },
  ];
}

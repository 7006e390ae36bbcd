import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import sharp from 'sharp';

// libvips keeps one error buffer and one warning queue for the whole process, and the engine
// decodes several images at once: the message sharp gives for a failed decode may be another
// image's (a PNG told "VipsJpeg: premature end of JPEG image", another file's path, another
// image's pixel limit). A reason is kept only if it can be this image's; otherwise the reason
// says what it means.

/** Formats by their first bytes, and the words their decoders' messages use. */
const FORMATS: { label: string; magic: (b: Buffer) => boolean; words: RegExp }[] = [
  { label: 'JPEG', magic: (b) => b[0] === 0xff && b[1] === 0xd8, words: /jpe?g/i },
  { label: 'PNG', magic: (b) => b.toString('latin1', 1, 4) === 'PNG', words: /png/i },
  { label: 'GIF', magic: (b) => b.toString('latin1', 0, 4) === 'GIF8', words: /gif/i },
  { label: 'WebP', magic: (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP', words: /webp/i },
  { label: 'TIFF', magic: (b) => ['II*\0', 'MM\0*'].includes(b.toString('latin1', 0, 4)), words: /tiff/i },
  { label: 'HEIF/AVIF', magic: (b) => b.toString('latin1', 4, 8) === 'ftyp', words: /heif|avif/i },
  { label: 'SVG', magic: (b) => /^\s*(<\?xml|<svg|<!DOCTYPE)/i.test(b.toString('latin1')), words: /svg|xml/i },
];

/** The first bytes of an image; none if it cannot be read (a FIFO is not waited for). */
async function head(src: string | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(src)) return src.subarray(0, 64);
  try {
    const fh = await open(src, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const b = Buffer.alloc(64);
      const { bytesRead } = await fh.read(b, 0, 64, 0);
      return b.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return Buffer.alloc(0);
  }
}

/** The image's header claims more than `maxPixels` (read without the limit, header only). */
export async function claimsMorePixels(src: string | Buffer, maxPixels: number): Promise<boolean> {
  try {
    const { width, height } = await sharp(src, { limitInputPixels: false }).metadata();
    return (width ?? 0) * (height ?? 0) > maxPixels;
  } catch {
    return false;
  }
}

/**
 * Why a decode of `src` failed, from sharp's message `msg`: its first line if nothing in it belongs
 * to another image (another format's decoder, another file's path), else what it means.
 */
export async function decodeReason(msg: string, src: string | Buffer): Promise<string> {
  const start = await head(src);
  const format = FORMATS.find((f) => f.magic(start));
  const first = (msg.split('\n')[0] ?? '').trim();
  // Our own path may be quoted (libheif does); any other absolute path is another file's.
  const rest = typeof src === 'string' ? first.split(src).join('') : first;
  const borrowed =
    first === '' ||
    // With failOn 'warning' sharp may say only that, and add lines from the shared warning queue.
    first.startsWith('Warning treated as error') ||
    /(^|[\s'"])\/\S/.test(rest) ||
    FORMATS.some((f) => f !== format && f.words.test(rest));
  return borrowed ? `damaged or truncated${format ? ` ${format.label}` : ''} data` : first;
}

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessImageResult } from '../core/clues';
import { readExif } from '../models/exif-reader';
import { fileSha256 } from '../models/file-hashes';
import { decodeImage, InvalidImageError, probeImage } from '../models/image-loader';
import { SAMPLES, tempDir } from './support/fixtures';
import { exifApp1, jfif } from './support/jpeg-segments';
import { openTestContext, type TestContext } from './support/services';

// iPhone photos: HEIC (HEIF with HEVC pixels) made at test time by Debian's heif-enc (libheif
// with x265; scripts/test.sh installs libheif-examples), decoded by libheif in WebAssembly, with
// their EXIF. JPEG XL is refused by name.

const PHONE = { make: 'Apple', model: 'iPhone 13', serial: 'F2LXK1Q7N5', dateTime: '2022:03:04 05:06:07', dateTimeOriginal: '2022:03:04 05:06:07', gps: { lat: 52.2297, lon: 21.0122 } };
let dir = '';
let heic = '';
let jpeg = '';

function heifEnc(input: string, output: string): void {
  try {
    execFileSync('heif-enc', ['-q', '70', input, '-o', output], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`heif-enc failed or is missing (Debian's libheif-examples; scripts/test.sh installs it): ${(err as Error).message}`, { cause: err });
  }
}

beforeAll(async () => {
  dir = tempDir('heic');
  // A phone-sized photo with the phone's EXIF, then the same as HEIC (heif-enc keeps the EXIF).
  const base = await sharp(join(SAMPLES, 'chelsea.png')).resize(1200, 900, { fit: 'fill' }).jpeg({ quality: 92 }).toBuffer();
  const tables = base.indexOf(Buffer.from([0xff, 0xdb])); // the tables and scan after the encoder's APP0
  jpeg = join(dir, 'phone.jpg');
  writeFileSync(jpeg, Buffer.concat([Buffer.from([0xff, 0xd8]), jfif(), exifApp1(PHONE), base.subarray(tables)]));
  heic = join(dir, 'IMG_0001.HEIC');
  heifEnc(jpeg, heic);
});

describe('HEIC', () => {
  it('when a HEIC photo is decoded, then it has the size and the colours of the photo it was made from', async () => {
    expect(readFileSync(heic).toString('latin1', 4, 12)).toBe('ftypheic');
    const info = await probeImage(heic, 100_000_000);
    expect(info).toMatchObject({ width: 1200, height: 900, format: 'heic' });
    const [fromHeic, fromJpeg] = await Promise.all([decodeImage(heic, 100_000_000, 4_000_000), decodeImage(jpeg, 100_000_000, 4_000_000)]);
    expect(fromHeic.rgb).toMatchObject({ width: 1200, height: 900 });
    // Lossy both ways: the mean difference per channel is small, the picture the same.
    let diff = 0;
    for (let i = 0; i < fromHeic.rgb.data.length; i += 97) diff += Math.abs(fromHeic.rgb.data[i]! - fromJpeg.rgb.data[i]!);
    expect(diff / (fromHeic.rgb.data.length / 97)).toBeLessThan(8);
  });

  it('when a HEIC photo carries EXIF, then its camera, serial, time and GPS are read', async () => {
    const exif = await readExif(heic);
    expect(exif).toMatchObject({ make: 'Apple', model: 'iPhone 13', serial: 'F2LXK1Q7N5', takenAt: '2022-03-04T05:06:07' });
    expect(exif.latitude).toBeCloseTo(52.2297, 4);
    expect(exif.longitude).toBeCloseTo(21.0122, 4);
  });

  it('when a HEIC file is cut short or claims a huge size, then it is refused with a reason that says so, not "bad seek"', async () => {
    const bytes = readFileSync(heic);
    const cut = join(dir, 'cut.heic');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const err = await probeImage(cut, 100_000_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidImageError);
    expect((err as Error).message).not.toMatch(/bad seek/);
    const big = join(dir, 'big.heic');
    writeFileSync(big, bytes);
    const small = await probeImage(big, 1_000_000).catch((e: unknown) => e);
    expect(small).toMatchObject({ code: 'too-large' });
  });

  it('when a file is JPEG XL, then it is refused as "JPEG XL is not supported", in a container or as a bare codestream', async () => {
    const container = Buffer.concat([Buffer.from([0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a]), Buffer.alloc(100)]);
    const bare = Buffer.concat([Buffer.from([0xff, 0x0a]), Buffer.alloc(100)]);
    for (const bytes of [container, bare]) {
      const path = join(dir, `x${bytes[0]}.jxl`);
      writeFileSync(path, bytes);
      await expect(probeImage(path, 100_000_000)).rejects.toMatchObject({ code: 'undecodable', message: expect.stringMatching(/^JPEG XL is not supported/) });
    }
  });
});

describe('HEIC through the pipeline', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext('heic');
  });
  afterAll(async () => ctx?.close());

  it('when a HEIC photo is processed, then every stage runs on its pixels and its EXIF is kept', async () => {
    const sha256 = await fileSha256(heic);
    const result = await ctx.withWorker((taskQueue) =>
      ctx.client.workflow.execute('processImage', { workflowId: `image-${sha256}`, taskQueue, args: [{ path: heic, sha256 }], workflowIdReusePolicy: 'ALLOW_DUPLICATE' }),
    ) as ProcessImageResult;
    expect(Object.entries(result.stages).filter(([, s]) => s === 'failed')).toEqual([]);
    const image = await ctx.store.images.get(sha256);
    expect(image).toMatchObject({ status: 'processed', info: { width: 1200, height: 900, format: 'heic' }, exif: { make: 'Apple', model: 'iPhone 13' } });
    expect(image?.pdq?.quality).toBeGreaterThan(50);
    const clues = await ctx.store.images.cluesOf(sha256);
    expect(clues.filter((c) => c.detail?.field === 'gps')).toHaveLength(1);
    expect(clues.some((c) => c.type === 'object')).toBe(true); // the cat is seen
  }, 300_000);
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { lumaFromRgb, pdqDistance, pdqFromLuma, PDQ_MATCH_DISTANCE } from '../models/pdq';
import { pdqFromFile } from '../models/pdq-image';
import { SAMPLES, tempDir } from './support/fixtures';

// Reference values come from Meta's C++ implementation (PyPI `pdqhash`), computed on the same
// pixels; scripts/dev/pdq-reference.sh regenerates them.
const reference = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'pdq-reference.json'), 'utf8')) as {
  images: Record<string, { hash: string; quality: number }>;
};

describe('PDQ', () => {
  it.each(Object.entries(reference.images))('when %s is hashed, then hash and quality equal the reference bit for bit', async (name, ref) => {
    const got = await pdqFromFile(join(SAMPLES, name), 1e8);
    expect(got).toEqual(ref);
  });

  it('when an image is re-encoded as JPEG and resized, then it stays within the match distance', async () => {
    const dir = tempDir('pdq');
    const copy = join(dir, 'copy.jpg');
    await sharp(join(SAMPLES, 'chelsea.png')).resize(300).jpeg({ quality: 60 }).toFile(copy);
    const a = await pdqFromFile(join(SAMPLES, 'chelsea.png'), 1e8);
    const b = await pdqFromFile(copy, 1e8);
    expect(pdqDistance(a.hash, b.hash)).toBeLessThanOrEqual(PDQ_MATCH_DISTANCE);
  });

  it('when two unrelated photos are hashed, then they are far apart', async () => {
    const a = await pdqFromFile(join(SAMPLES, 'chelsea.png'), 1e8);
    const b = await pdqFromFile(join(SAMPLES, 'rocket.jpg'), 1e8);
    expect(pdqDistance(a.hash, b.hash)).toBeGreaterThan(2 * PDQ_MATCH_DISTANCE);
  });

  it('when an image is flat, then its quality is 0 and it must not be matched on', () => {
    const flat = new Uint8Array(100 * 100 * 3).fill(128);
    expect(pdqFromLuma(lumaFromRgb(flat, 100, 100), 100, 100).quality).toBe(0);
  });

  it('when an image is smaller than 5 pixels on a side, then it gets the zero hash', () => {
    expect(pdqFromLuma(new Float32Array(16), 4, 4)).toEqual({ hash: '0'.repeat(64), quality: 0 });
  });

  it('when hashes are compared, then the distance counts differing bits', () => {
    expect(pdqDistance('0'.repeat(64), 'f'.repeat(64))).toBe(256);
    expect(pdqDistance('0'.repeat(63) + '1', '0'.repeat(64))).toBe(1);
    expect(() => pdqDistance('00', '00')).toThrow(/64 hex/);
  });
});

import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { exifClues, MAX_EXIF_CHARS, readExif } from '../models/exif-reader';
import { SAMPLES, tempDir } from './support/fixtures';

describe('EXIF metadata', () => {
  it('when a photo carries camera, serial, lens, time and GPS, then each becomes a clue', async () => {
    const path = join(tempDir('exif'), 'camera.jpg');
    await sharp(join(SAMPLES, 'coffee.png'))
      .jpeg()
      .withExif({
        IFD0: { Make: 'Canon', Model: 'Canon EOS 5D Mark IV', Software: 'Firmware 1.2' },
        IFD2: { BodySerialNumber: '032021001234', LensModel: 'EF24-70mm f/2.8L II USM', DateTimeOriginal: '2024:05:17 14:03:22' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 51/1 3000/100', GPSLongitudeRef: 'E', GPSLongitude: '0/1 58/1 1200/100' },
      })
      .toFile(path);
    const clues = exifClues(await readExif(path));
    const byField = Object.fromEntries(clues.map((c) => [c.detail!.field, c.value]));
    expect(byField).toEqual({
      camera: 'Canon EOS 5D Mark IV',
      serial: '032021001234',
      lens: 'EF24-70mm f/2.8L II USM',
      software: 'Firmware 1.2',
      takenAt: '2024-05-17T14:03:22',
      gps: '51.858333,0.970000',
    });
    expect(clues.find((c) => c.detail!.field === 'serial')!.tokens).toEqual(['032021001234']);
  });

  it('when a file has no EXIF, then there are no metadata clues and no error', async () => {
    expect(exifClues(await readExif(join(SAMPLES, 'page.png')))).toEqual([]);
  });

  it('when an EXIF field holds 60,000 characters, then it is cut to the cap and the summary and clue say it was cut', async () => {
    const long = `Editor ${'x'.repeat(60_000)}`;
    const path = join(tempDir('exif'), 'long.jpg');
    await sharp(join(SAMPLES, 'coffee.png')).jpeg().withExif({ IFD0: { Make: 'Canon', Model: 'Canon EOS 5D', Software: long } }).toFile(path);
    const exif = await readExif(path);
    expect(exif.software).toBe(long.slice(0, MAX_EXIF_CHARS));
    expect(exif.truncated).toEqual(['software']);
    const clues = exifClues(exif);
    expect(clues.find((c) => c.detail!.field === 'software')).toMatchObject({ value: long.slice(0, MAX_EXIF_CHARS), detail: { truncated: true } });
    expect(clues.find((c) => c.detail!.field === 'camera')).toMatchObject({ value: 'Canon EOS 5D', detail: { field: 'camera' } });
    expect(clues.find((c) => c.detail!.field === 'camera')!.detail).not.toHaveProperty('truncated');
  });

  it('when no field is over the cap, then nothing is marked as cut', async () => {
    const path = join(tempDir('exif'), 'short.jpg');
    await sharp(join(SAMPLES, 'coffee.png')).jpeg().withExif({ IFD0: { Software: 's'.repeat(MAX_EXIF_CHARS) } }).toFile(path);
    const exif = await readExif(path);
    expect(exif.software).toHaveLength(MAX_EXIF_CHARS);
    expect(exif).not.toHaveProperty('truncated');
  });
});

import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { exifClues, readExif } from '../models/exif-reader';
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
});

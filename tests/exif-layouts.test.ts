import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exifClues, readExif } from '../models/exif-reader';
import { tempDir } from './support/fixtures';
import { comment, exifApp1, iccApp2, jfif, jpegWith, mpfApp2, xmpApp1, type ExifFields } from './support/jpeg-segments';

// Every layout of JPEG header that cameras, phones and editors write, with the EXIF wherever it
// lies: after JFIF and an ICC profile (an edited, re-saved photo), after an ICC profile spread
// over several segments, after a long XMP packet or comment, after an MPF index, twice. Each is
// read from a file (as the worker reads evidence) and from memory (as an upload is read).

const CAMERA: ExifFields = { make: 'Canon', model: 'Canon EOS 5D Mark IV', serial: '032021001234', dateTime: '2021:06:01 10:00:00', gps: { lat: 50.0614, lon: 19.9366 } };
const WITH_ORIGINAL: ExifFields = { ...CAMERA, dateTimeOriginal: '2021:06:01 09:59:30' };

const LAYOUTS: [string, () => Buffer[], ExifFields][] = [
  ['EXIF alone', () => [exifApp1(WITH_ORIGINAL)], WITH_ORIGINAL],
  ['JFIF, then EXIF', () => [jfif(), exifApp1(CAMERA)], CAMERA],
  ['JFIF, an ICC profile, then EXIF without DateTimeOriginal (an edited photo)', () => [jfif(), ...iccApp2(3_144), exifApp1(CAMERA)], CAMERA],
  ['JFIF, an ICC profile, then EXIF with DateTimeOriginal', () => [jfif(), ...iccApp2(3_144), exifApp1(WITH_ORIGINAL)], WITH_ORIGINAL],
  ['an ICC profile of 200 KB in four segments, then EXIF', () => [jfif(), ...iccApp2(200_000), exifApp1(CAMERA)], CAMERA],
  ['EXIF, then a large ICC profile', () => [exifApp1(CAMERA), ...iccApp2(200_000)], CAMERA],
  ['XMP first, then EXIF', () => [xmpApp1(), exifApp1(CAMERA)], CAMERA],
  ['a 60 KB XMP packet, then EXIF', () => [xmpApp1(60_000), exifApp1(CAMERA)], CAMERA],
  ['a 30 KB comment, then EXIF', () => [comment(30_000), exifApp1(CAMERA)], CAMERA],
  ['an MPF index (a phone\'s depth map), then EXIF', () => [mpfApp2(), exifApp1(CAMERA)], CAMERA],
  ['two EXIF segments, the camera\'s second', () => [exifApp1({ software: 'Thumbnailer 2.1' }), exifApp1(CAMERA)], { ...CAMERA, software: 'Thumbnailer 2.1' }],
  ['everything at once', () => [jfif(), xmpApp1(20_000), ...iccApp2(150_000), mpfApp2(), comment(500), exifApp1(WITH_ORIGINAL)], WITH_ORIGINAL],
];

describe('EXIF wherever a JPEG keeps it', () => {
  it.each(LAYOUTS)('when a JPEG holds %s, then camera, serial, times and GPS are read from the file and from memory', async (_name, segments, fields) => {
    const jpeg = await jpegWith(segments());
    const path = join(tempDir('exif-layout'), 'photo.jpg');
    writeFileSync(path, jpeg);
    for (const source of [path, jpeg]) {
      const exif = await readExif(source);
      expect(exif).toMatchObject({
        make: fields.make,
        model: fields.model,
        serial: fields.serial,
        createdAt: fields.dateTime!.replace(/^(\d+):(\d+):(\d+) /, '$1-$2-$3T'),
        ...(fields.dateTimeOriginal ? { takenAt: fields.dateTimeOriginal.replace(/^(\d+):(\d+):(\d+) /, '$1-$2-$3T') } : {}),
        ...(fields.software ? { software: fields.software } : {}),
      });
      expect(exif.latitude).toBeCloseTo(fields.gps!.lat, 4);
      expect(exif.longitude).toBeCloseTo(fields.gps!.lon, 4);
      expect(exifClues(exif).map((c) => c.detail?.field)).toEqual(expect.arrayContaining(['camera', 'serial', 'gps']));
    }
  });

  it('when a JPEG has no EXIF, a cut header or an EXIF segment that is garbage, then it has no EXIF and no error', async () => {
    expect(await readExif(await jpegWith([jfif(), ...iccApp2(3_000)]))).toEqual({});
    const cut = (await jpegWith([jfif(), ...iccApp2(100_000), exifApp1(CAMERA)])).subarray(0, 70_000);
    expect(await readExif(cut)).toEqual({});
    const garbage = Buffer.concat([Buffer.from('Exif\0\0II*\0', 'latin1'), Buffer.alloc(40, 0xff)]);
    const head = Buffer.from([0xff, 0xe1, 0, garbage.length + 2]);
    expect(await readExif(await jpegWith([head, garbage, exifApp1(CAMERA)]))).toMatchObject({ make: 'Canon' });
  });
});

import { exifClues, readExif } from '../models/exif-reader';
import type { StageDefinition } from './stage';

export const EXIFR_VERSION = (require('exifr/package.json') as { version: string }).version;

/** EXIF camera, serials, lens, times and GPS. */
export const readMetadata: StageDefinition<'metadata'> = {
  ownModel: { name: 'exifr', version: EXIFR_VERSION },
  async run(ctx) {
    const exif = await readExif(await ctx.source());
    return { clues: exifClues(exif), data: exif as Record<string, unknown> };
  },
};

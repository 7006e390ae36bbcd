import type { ModelRef } from '../core/clues';
import { EXIF_READER_REVISION, exifClues, readExif } from '../models/exif-reader';
import type { StageDefinition } from './stage';

export const EXIFR_VERSION = (require('exifr/package.json') as { version: string }).version;
/**
 * What the metadata stage records: exifr's version and how this project finds the EXIF. A new
 * revision re-reads the images stored before it (their EXIF may have been missed: re-run rules).
 */
export const METADATA_MODEL: ModelRef = { name: 'exifr', version: `${EXIFR_VERSION}+${EXIF_READER_REVISION}` };

/** EXIF camera, serials, lens, times and GPS. */
export const readMetadata: StageDefinition<'metadata'> = {
  ownModel: METADATA_MODEL,
  async run(ctx) {
    const exif = await readExif(await ctx.source());
    return { clues: exifClues(exif), data: exif as Record<string, unknown> };
  },
};

import type { ImageRef, StageOutcome } from '../core/clues';
import type { ModelRef } from '../core/clues';
import { EXIF_READER_REVISION, exifClues, readExif } from '../models/exif-reader';
import type { BlobStore } from '../storage/blob-store';
import { imageSource } from './image-source';


export const EXIFR_VERSION = (require('exifr/package.json') as { version: string }).version;
/**
 * What the metadata stage records: exifr's version and how this project finds the EXIF. A new
 * revision re-reads the images stored before it (their EXIF may have been missed: re-run rules).
 */
export const METADATA_MODEL: ModelRef = { name: 'exifr', version: `${EXIFR_VERSION}+${EXIF_READER_REVISION}` };

/** EXIF camera, serials, lens, times and GPS. */
export function readMetadata(blobs: BlobStore) {
  return async (ref: ImageRef): Promise<StageOutcome> => {
    const started = Date.now();
    const exif = await readExif(await imageSource(blobs, ref.path));
    return {
      stage: 'metadata',
      status: 'ok',
      model: METADATA_MODEL,
      clues: exifClues(exif),
      data: exif as Record<string, unknown>,
      durationMs: Date.now() - started,
    };
  };
}

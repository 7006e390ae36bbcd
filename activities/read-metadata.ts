import type { ImageRef, StageOutcome } from '../core/clues';
import { exifClues, readExif } from '../models/exif-reader';
import type { BlobStore } from '../blobs/blob-store';
import { imageSource } from './image-source';


export const EXIFR_VERSION = (require('exifr/package.json') as { version: string }).version;

/** EXIF camera, serials, lens, times and GPS. */
export function readMetadata(blobs: BlobStore) {
  return async (ref: ImageRef): Promise<StageOutcome> => {
    const started = Date.now();
    const exif = await readExif(await imageSource(blobs, ref.path));
    return {
      stage: 'metadata',
      status: 'ok',
      model: { name: 'exifr', version: EXIFR_VERSION },
      clues: exifClues(exif),
      data: exif as Record<string, unknown>,
      durationMs: Date.now() - started,
    };
  };
}

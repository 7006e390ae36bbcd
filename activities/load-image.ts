import type { ImageInfo, ImageRef } from '../core/clues';
import { fileSha256 } from '../models/file-hashes';
import { InvalidImageError, probeImage } from '../models/image-loader';
import { asActivityError } from './errors';

/** Decodes the image once to prove it is sound, and checks it is still the file that was ingested. */
export function loadImage(maxPixels: number) {
  return (ref: ImageRef): Promise<ImageInfo> =>
    asActivityError(async () => {
      const info = await probeImage(ref.path, maxPixels);
      const actual = await fileSha256(ref.path);
      if (actual !== ref.sha256) {
        throw new InvalidImageError('changed', `file content changed since ingest (sha256 ${actual}, expected ${ref.sha256})`);
      }
      return info;
    });
}

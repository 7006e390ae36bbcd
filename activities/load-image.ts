import type { ImageInfo, ImageRef } from '../core/clues';
import { fileSha256 } from '../models/file-hashes';
import { InvalidImageError, probeImage } from '../models/image-loader';
import type { BlobStore } from '../storage/blob-store';
import { imageSource } from './image-source';
import { asActivityError } from './errors';

/** Decodes the image once to prove it is sound, and checks it is still the file that was ingested. */
export function loadImage(maxPixels: number, blobs: BlobStore) {
  return (ref: ImageRef): Promise<ImageInfo> =>
    asActivityError(async () => {
      const src = await imageSource(blobs, ref.path);
      const info = await probeImage(src, maxPixels);
      const actual = await fileSha256(src);
      if (actual !== ref.sha256) {
        throw new InvalidImageError('changed', `file content changed since ingest (sha256 ${actual}, expected ${ref.sha256})`);
      }
      return info;
    });
}

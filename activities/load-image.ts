import type { ImageInfo, ImageRef } from '../core/clues';
import type { ImageEngine } from '../engine/image-engine';
import { fileSha256 } from '../models/file-hashes';
import { InvalidImageError } from '../models/image-loader';
import type { BlobStore } from '../blobs/blob-store';
import { engineInput, imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/**
 * Decodes the image once to prove it is sound, and checks it is still the file that was ingested.
 * Workflows started before prepareImage existed call this one (on the light queue).
 */
export function loadImage(engine: ImageEngine, blobs: BlobStore) {
  return (ref: ImageRef): Promise<ImageInfo> =>
    asActivityError(async () => {
      const src = await imageSource(blobs, ref.path);
      const actual = await fileSha256(src);
      if (actual !== ref.sha256) {
        throw new InvalidImageError('changed', `file content changed since ingest (sha256 ${actual}, expected ${ref.sha256})`);
      }
      // Keyed by the SHA-256 only once the bytes are known to have it.
      return withHeartbeat(() => engine.probe(engineInput(src, ref.sha256)));
    });
}

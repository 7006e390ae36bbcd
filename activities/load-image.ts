import type { ImageInfo, ImageRef } from '../core/clues';
import type { ImageEngine } from '../engine/image-engine';
import { fileSha256 } from '../models/file-hashes';
import { InvalidImageError } from '../models/image-loader';
import type { BlobStore } from '../storage/blob-store';
import { engineInput, imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/** Decodes the image once to prove it is sound, and checks it is still the file that was ingested. */
export function loadImage(engine: ImageEngine, blobs: BlobStore) {
  return (ref: ImageRef): Promise<ImageInfo> =>
    asActivityError(async () => {
      const src = await imageSource(blobs, ref.path);
      const [info, actual] = await Promise.all([withHeartbeat(() => engine.probe(engineInput(src))), fileSha256(src)]);
      if (actual !== ref.sha256) {
        throw new InvalidImageError('changed', `file content changed since ingest (sha256 ${actual}, expected ${ref.sha256})`);
      }
      return info;
    });
}

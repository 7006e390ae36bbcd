import type { ImageInput } from '../engine/image-engine';
import { InvalidImageError, type ImageSource } from '../models/image-loader';
import { BlobNotFoundError, readImageRef, type BlobStore } from '../blobs/blob-store';

/**
 * What the models read for an image reference (a path, or the bytes of an uploaded query image
 * or of evidence kept in a bucket). A missing blob is a bad image, not a reason to retry.
 */
export async function imageSource(blobs: BlobStore, path: string): Promise<ImageSource> {
  try {
    return await readImageRef(blobs, path);
  } catch (err) {
    if (err instanceof BlobNotFoundError) throw new InvalidImageError('missing', `stored image not found: ${err.key}`);
    throw err; // the store is unreachable: retry
  }
}

/**
 * The same, as the engine process takes it: it reads files itself, and gets the bytes of blobs.
 * With the SHA-256, the engine decodes the image once for all its stages.
 */
export function engineInput(src: ImageSource, sha256?: string): ImageInput {
  return { ...(typeof src === 'string' ? { path: src } : { bytes: src }), ...(sha256 ? { sha256 } : {}) };
}

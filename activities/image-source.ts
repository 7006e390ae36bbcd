import { InvalidImageError, type ImageSource } from '../models/image-loader';
import { BlobNotFoundError, blobKeyOf, type BlobStore } from '../storage/blob-store';

/**
 * What the models read for an image reference: a file path as it is, or for a `blob:` reference
 * (an uploaded query image, evidence kept in a bucket) the stored bytes.
 */
export async function imageSource(blobs: BlobStore, path: string): Promise<ImageSource> {
  const key = blobKeyOf(path);
  if (!key) return path;
  try {
    return await blobs.get(key);
  } catch (err) {
    if (err instanceof BlobNotFoundError) throw new InvalidImageError('missing', `stored image not found: ${key}`);
    throw err; // the store is unreachable: retry
  }
}

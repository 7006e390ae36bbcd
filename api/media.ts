import { access } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import { readable, type ImageSource } from '../models/image-loader';
import { BlobNotFoundError, blobKeyOf, readImageRef, type BlobStore, type FileBlobStore } from '../blobs/blob-store';
import { HttpError } from './http-error';

// Pictures the web views show. Every output is re-encoded by sharp, which drops EXIF, GPS and
// other metadata: a published crop carries nothing but pixels.

// The API must stay small: no libvips cache, one thread.
sharp.cache(false);
sharp.concurrency(1);

const THUMB_SIDE = 320;
const MAX_PIXELS = 100_000_000;

/** sharp over an image, HEIC included (decoded first: models/heif-decoder.ts). */
async function open(source: ImageSource): Promise<Sharp> {
  const r = await readable(source, MAX_PIXELS);
  return sharp(r.input, { limitInputPixels: MAX_PIXELS, ...(r.raw ? { raw: r.raw } : {}) });
}
const VIEW_SIDE = 2048;

/** The first of an image's recorded paths (files, or `blob:` keys) that is still readable. */
export async function readableSource(paths: string[], blobs: BlobStore): Promise<ImageSource> {
  for (const p of paths) {
    const isBlob = blobKeyOf(p) !== null;
    try {
      if (!isBlob) await access(p);
      return await readImageRef(blobs, p);
    } catch (err) {
      if (isBlob && !(err instanceof BlobNotFoundError)) throw err; // the store is down: a 500, not a 404
      /* moved or unmounted: try the next recorded path */
    }
  }
  throw new HttpError(404, 'the image file is not on the storage any more');
}

/**
 * A small JPEG of the oriented image, cached by content hash in this process's local cache. The
 * image itself is read only on a miss: a results grid asks for twenty thumbnails at a time.
 */
export async function thumbnail(cache: FileBlobStore, sha256: string, source: () => Promise<ImageSource>): Promise<Buffer> {
  const key = `${sha256.slice(0, 2)}/${sha256}.jpg`;
  try {
    return await cache.get(key);
  } catch (err) {
    if (!(err instanceof BlobNotFoundError)) throw err;
  }
  const data = await (await open(await source())).rotate().resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
  await cache.put(key, data);
  return data;
}

/**
 * The oriented image for the detail view, at most VIEW_SIDE pixels a side; boxes are drawn in the
 * original pixels, so the answer says how much it was scaled.
 */
export async function viewImage(source: ImageSource): Promise<{ data: Buffer; scale: number }> {
  const { data, info } = await (await open(source))
    .rotate()
    .resize(VIEW_SIDE, VIEW_SIDE, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 85 })
    .toBuffer({ resolveWithObject: true });
  const meta = await (await open(source)).metadata();
  const width = (meta.orientation ?? 1) >= 5 ? meta.height : meta.width;
  return { data, scale: info.width / Math.max(1, width ?? info.width) };
}


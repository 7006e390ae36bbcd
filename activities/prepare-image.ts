import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ImageInfo, ImageRef } from '../core/clues';
import type { ImageEngine } from '../engine/image-engine';
import { InvalidImageError } from '../models/image-loader';
import type { BlobStore } from '../blobs/blob-store';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';
import { imageSource } from './image-source';

/** What the workflow needs to route an image's CPU stages to the worker that holds its pixels. */
export interface PreparedImage {
  info: ImageInfo;
  /** This worker's own task queue: its engine has the image decoded. */
  queue: string;
}

/**
 * The bytes of an evidence file, read once: the file itself, never what a symbolic link put in
 * its place after it was listed (O_NOFOLLOW), nor a FIFO that would block (O_NONBLOCK).
 */
async function readEvidence(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InvalidImageError('missing', `file not found: ${path}`);
    if (code === 'ELOOP') throw new InvalidImageError('missing', `not read: ${path} is now a symbolic link`);
    throw err; // EACCES or EIO on a flaky mount: retried
  }
  try {
    if (!(await handle.stat()).isFile()) throw new InvalidImageError('missing', `not a regular file: ${path}`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * The first CPU stage of an image: reads the file once, checks it is still the ingested bytes,
 * and has this worker's engine decode it whole (which proves it sound) and keep the pixels. The
 * image's other CPU stages are then routed to this worker's own queue.
 */
export function prepareImage(engine: ImageEngine, blobs: BlobStore, ownQueue: string) {
  return (ref: ImageRef): Promise<PreparedImage> =>
    asActivityError(async () => {
      const src = await imageSource(blobs, ref.path);
      const bytes = typeof src === 'string' ? await readEvidence(src) : src;
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== ref.sha256) throw new InvalidImageError('changed', `file content changed since ingest (sha256 ${actual}, expected ${ref.sha256})`);
      const info = await withHeartbeat(() => engine.probe({ bytes, sha256: ref.sha256 }));
      return { info, queue: ownQueue };
    });
}

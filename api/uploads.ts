import { createHash, randomUUID } from 'node:crypto';
import express, { type Request } from 'express';
import { logger } from '../core/log';
import { blobRef, type BlobStore } from '../blobs/blob-store';
import { HttpError } from './http-error';

const log = logger('api');

/** Largest query image accepted; larger bodies answer 413. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** The folder of the shared store that holds uploaded query images, and nothing else. */
export const UPLOADS = 'uploads';

/** Raw image bodies only: no multipart parser, no file names from the client. */
export const imageBody = express.raw({ type: ['image/*', 'application/octet-stream'], limit: MAX_UPLOAD_BYTES });

export function assertImageBody(req: Request): void {
  if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(415, 'send the image as the request body with an image/* content type');
}

export const queryId = (kind: string, sha256: string) => `${kind}-${sha256.slice(0, 16)}-${randomUUID()}`;

export interface Upload {
  /** What the workflow reads: `blob:uploads/<id>`. */
  path: string;
  sha256: string;
  key: string;
  /** The query's workflow id; the upload is stored under the same name. */
  id: string;
}

/**
 * Keeps an uploaded query image in the shared store so that the workflow gets a reference, never
 * bytes. The name is the query's id (kind, hash, random): never chosen by the client, and never
 * shared by two requests, so deleting one upload cannot take another's. Uploads are deleted when
 * their query fails (refused images at once) and otherwise after CLUES_UPLOAD_TTL_HOURS
 * (upload-expiry.ts).
 */
export async function saveUpload(req: Request, blobs: BlobStore, kind: 'similar' | 'place' | 'faces'): Promise<Upload> {
  assertImageBody(req);
  const sha256 = createHash('sha256').update(req.body).digest('hex');
  const id = queryId(kind, sha256);
  const key = `${UPLOADS}/${id}`;
  await blobs.put(key, req.body, req.get('content-type') ?? 'application/octet-stream');
  return { path: blobRef(key), sha256, key, id };
}

/** Runs the query of an upload; if it fails (a refused image, or anything else) the upload goes at once. */
export async function queryUpload<T>(blobs: BlobStore, upload: Upload, query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (err) {
    await blobs.delete(upload.key).catch((e: unknown) => log.warn({ err: e, key: upload.key }, 'could not delete the upload of a failed query'));
    throw err;
  }
}

/** Small JSON bodies only (tags, settings, review decisions). */
export const jsonBody = express.json({ limit: '16kb' });

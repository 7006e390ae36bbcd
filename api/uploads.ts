import { createHash, randomUUID } from 'node:crypto';
import express, { type Request } from 'express';
import { blobRef, type BlobStore } from '../storage/blob-store';
import { HttpError } from './http-error';

/** Largest query image accepted; larger bodies answer 413. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** Raw image bodies only: no multipart parser, no file names from the client. */
export const imageBody = express.raw({ type: ['image/*', 'application/octet-stream'], limit: MAX_UPLOAD_BYTES });

export function assertImageBody(req: Request): void {
  if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(415, 'send the image as the request body with an image/* content type');
}

/**
 * Keeps an uploaded query image in the shared store, named by its content, so that workflows get
 * a reference (`blob:uploads/<sha256>`), never bytes, and no client-chosen name is ever used.
 */
export async function saveUpload(req: Request, blobs: BlobStore, folder: 'uploads' | 'uploads/places'): Promise<{ path: string; sha256: string }> {
  assertImageBody(req);
  const sha256 = createHash('sha256').update(req.body).digest('hex');
  const key = `${folder}/${sha256}`;
  await blobs.put(key, req.body, req.get('content-type') ?? 'application/octet-stream');
  return { path: blobRef(key), sha256 };
}

export const queryId = (kind: string, sha256: string) => `${kind}-${sha256.slice(0, 16)}-${randomUUID()}`;

/** Small JSON bodies only (tags, settings, review decisions). */
export const jsonBody = express.json({ limit: '16kb' });

import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import express, { type Request } from 'express';
import { HttpError } from './http-error';

/** Largest query image accepted; larger bodies answer 413. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** Raw image bodies only: no multipart parser, no file names from the client. */
export const imageBody = express.raw({ type: ['image/*', 'application/octet-stream'], limit: MAX_UPLOAD_BYTES });

/**
 * Keeps an uploaded query image under the data folder, named by its content, so that workflows
 * get a path, never bytes, and no client-chosen name ever reaches the file system.
 */
export function assertImageBody(req: Request): void {
  if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(415, 'send the image as the request body with an image/* content type');
}

export async function saveUpload(req: Request, dir: string): Promise<{ path: string; sha256: string }> {
  assertImageBody(req);
  const sha256 = createHash('sha256').update(req.body).digest('hex');
  await mkdir(dir, { recursive: true });
  const path = join(dir, sha256);
  await writeFile(path, req.body);
  return { path, sha256 };
}

export const queryId = (kind: string, sha256: string) => `${kind}-${sha256.slice(0, 16)}-${randomUUID()}`;

/** Small JSON bodies only (tags, settings, review decisions). */
export const jsonBody = express.json({ limit: '16kb' });

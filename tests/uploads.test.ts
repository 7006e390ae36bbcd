import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { expireUploads } from '../api/upload-expiry';
import { UPLOADS } from '../api/uploads';
import { FileBlobStore, type BlobStore } from '../blobs/blob-store';
import { SAMPLES, tempDir } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

// Uploaded query images through the real API, worker and Temporal, on a folder store: kept until
// they expire, and refused ones deleted at once. (tests/storage.test.ts does the same on S3.)

let ctx: TestContext;
let blobs: BlobStore;

beforeAll(async () => {
  blobs = new FileBlobStore(tempDir('uploads'));
  ctx = await openTestContext('uploads', { blobs });
});
afterAll(async () => ctx?.close());

async function uploads(): Promise<string[]> {
  const keys: string[] = [];
  for await (const e of blobs.list(UPLOADS)) keys.push(e.key);
  return keys.sort();
}

describe('uploaded query images', () => {
  it('when a query image is answered, it is kept until it expires; a refused file or place is deleted at once', async () => {
    const analyst = await ctx.store.tokens.create('uploads-analyst', 'analyst');
    const reviewer = await ctx.store.tokens.create('uploads-reviewer', 'reviewer');
    await ctx.withWorker(async (taskQueue) => {
      const server = createApp(ctx.store, { temporal: { client: ctx.client, taskQueue }, blobs }).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const post = (path: string, token: string, body: Buffer, type: string) => fetch(base + path, { method: 'POST', body, headers: { authorization: `Bearer ${token}`, 'content-type': type } });
      try {
        const refused = await post('/api/similar', analyst, readFileSync('/etc/passwd'), 'application/octet-stream');
        expect(refused.status).toBe(422);
        expect(await uploads()).toEqual([]);
        const place = await post('/api/places?name=Nowhere%20at%20all', reviewer, Buffer.from('GIF89a but not really'), 'image/gif');
        expect(place.status).toBe(422);
        expect(await uploads()).toEqual([]);

        const photo = await sharp(join(SAMPLES, 'coffee.png')).jpeg().toBuffer();
        expect((await post('/api/similar', analyst, photo, 'image/jpeg')).status).toBe(200);
        expect((await post('/api/similar', analyst, photo, 'image/jpeg')).status).toBe(200);
        const kept = await uploads();
        // One upload per query, never shared: the same bytes twice are two uploads.
        expect(kept).toHaveLength(2);
        for (const key of kept) expect(key).toMatch(/^uploads\/similar-[0-9a-f]{16}-[0-9a-f-]{36}$/);

        expect(await expireUploads(blobs, 24)).toBe(0);
        expect(await expireUploads(blobs, 24, new Date(Date.now() + 24.5 * 3_600_000))).toBe(2);
        expect(await uploads()).toEqual([]);
      } finally {
        server.close();
      }
    });
  });
});

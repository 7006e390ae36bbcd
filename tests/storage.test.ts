import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { expireUploads } from '../api/upload-expiry';
import { startRun } from '../client/batch-runs';
import type { BatchProgress } from '../core/batch';
import { ConfigError, loadConfig } from '../core/config';
import { fileSha256 } from '../models/file-hashes';
import { BlobNotFoundError, FileBlobStore, type BlobStore } from '../blobs/blob-store';
import { S3BlobStore } from '../blobs/s3-blob-store';
import { cupOnTable, tempDir, uniqueCopy } from './support/fixtures';
import { startS3 } from './support/s3-server';
import { openTestContext, type TestContext } from './support/services';

// Shared storage behind one interface: a folder, or an S3-compatible bucket (here Versity's
// gateway, a real S3 server). The same contract for both, then a whole pipeline on S3: workers
// keep crops, keypoints and run listings in the bucket, and the API serves published crops and
// takes query images through it, with nothing written to the local data folder.

let s3: Awaited<ReturnType<typeof startS3>>;
const stores: Record<string, BlobStore> = {};

beforeAll(async () => {
  s3 = await startS3();
  stores.folder = new FileBlobStore(tempDir('blobs'));
  stores.s3 = new S3BlobStore(s3.settings);
});
afterAll(() => s3?.stop());

describe.each(['folder', 's3'])('blob store contract (%s)', (kind) => {
  it('when a blob is put, then it reads back byte for byte, and a second put replaces it', async () => {
    const store = stores[kind]!;
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    await store.put('crops/ab/one-cup-1-2-3-4.jpg', bytes, 'image/jpeg');
    expect(Buffer.compare(await store.get('crops/ab/one-cup-1-2-3-4.jpg'), bytes)).toBe(0);
    expect(await store.has('crops/ab/one-cup-1-2-3-4.jpg')).toBe(true);
    await store.put('crops/ab/one-cup-1-2-3-4.jpg', Buffer.from('second'));
    expect((await store.get('crops/ab/one-cup-1-2-3-4.jpg')).toString()).toBe('second');
  });

  it('when a blob is missing, then get throws BlobNotFoundError and has answers false', async () => {
    const store = stores[kind]!;
    await expect(store.get('crops/zz/none.jpg')).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await store.has('crops/zz/none.jpg')).toBe(false);
  });

  it('when a key is path-like, then it is refused before any I/O', async () => {
    const store = stores[kind]!;
    for (const key of ['../outside', '/etc/passwd', 'crops/../../x', 'a//b', '', 'crops/.hidden', 'a b']) {
      await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(/invalid storage key/);
    }
  });

  it('when blobs are listed under a folder, then every one at any depth comes back with its time, and nothing from elsewhere', async () => {
    const store = stores[kind]!;
    const t0 = Date.now();
    await store.put('listed/a', Buffer.from('a'));
    await store.put('listed/deeper/b.jpg', Buffer.from('b'));
    await store.put('listed-not/c', Buffer.from('c'));
    const entries = [];
    for await (const e of store.list('listed')) entries.push(e);
    expect(entries.map((e) => e.key).sort()).toEqual(['listed/a', 'listed/deeper/b.jpg']);
    for (const e of entries) expect(Math.abs(e.modified.getTime() - t0)).toBeLessThan(60_000);
    const none = [];
    for await (const e of store.list('never-written')) none.push(e);
    expect(none).toEqual([]);
  });

  it('when a blob is deleted, then it is gone; deleting it again is no error; a path-like key is refused', async () => {
    const store = stores[kind]!;
    await store.put('doomed/x', Buffer.from('x'));
    await store.delete('doomed/x');
    expect(await store.has('doomed/x')).toBe(false);
    await expect(store.delete('doomed/x')).resolves.toBeUndefined();
    await expect(store.delete('../doomed')).rejects.toThrow(/invalid storage key/);
  });

  it('when uploads are swept, then those older than the time to live go, newer ones and other folders stay', async () => {
    const store = stores[kind]!;
    await store.put('uploads/similar-old', Buffer.from('old'));
    await store.put('crops/ab/kept.jpg', Buffer.from('crop'));
    // S3 keeps times to the second: a clear gap between the two uploads.
    await new Promise((r) => setTimeout(r, 1500));
    const between = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    await store.put('uploads/similar-new', Buffer.from('new'));
    // As if 24 hours had passed since `between`.
    expect(await expireUploads(store, 24, new Date(between + 24 * 3_600_000))).toBe(1);
    expect(await store.has('uploads/similar-old')).toBe(false);
    expect(await store.has('uploads/similar-new')).toBe(true);
    expect(await store.has('crops/ab/kept.jpg')).toBe(true);
    expect(await expireUploads(store, 24, new Date(Date.now() + 25 * 3_600_000))).toBe(1);
    expect(await store.has('uploads/similar-new')).toBe(false);
  });

  it('when the store is checked at start-up, then it passes', async () => {
    await expect(stores[kind]!.check()).resolves.toBeUndefined();
  });
});

describe('S3 errors and configuration', () => {
  it('when the secret is wrong or the bucket missing, then the error says so, without the secret', async () => {
    const wrong = new S3BlobStore({ ...s3.settings, secretAccessKey: 'not-the-secret' });
    const err = await wrong.get('crops/x.jpg').catch((e: Error) => e);
    expect(String(err)).toMatch(/HTTP 403 SignatureDoesNotMatch/);
    expect(String(err)).not.toContain('not-the-secret');
    await expect(new S3BlobStore({ ...s3.settings, bucket: 'no-such-bucket' }).check()).rejects.toThrow(/no-such-bucket is not reachable/);
  });

  it('when CLUES_STORAGE names a bucket, then the endpoint and keys are required, and the address is parsed', () => {
    expect(() => loadConfig({ CLUES_STORAGE: 's3://evidence/clues' })).toThrow(ConfigError);
    expect(() => loadConfig({ CLUES_STORAGE: 's3://evidence/clues' })).toThrow(/CLUES_S3_ENDPOINT: required/);
    const cfg = loadConfig({ CLUES_STORAGE: 's3://evidence/lab-2/clues/', CLUES_S3_ENDPOINT: 'http://10.0.0.5:9000', CLUES_S3_ACCESS_KEY_ID: 'a', CLUES_S3_SECRET_ACCESS_KEY: 'b' });
    expect(cfg.storage).toMatchObject({ kind: 's3', bucket: 'evidence', prefix: 'lab-2/clues', endpoint: 'http://10.0.0.5:9000', region: 'us-east-1' });
    expect(loadConfig({}).storage).toEqual({ kind: 'file', root: loadConfig({}).dataDir });
  });
});

describe('the pipeline on S3 storage', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext('s3', { blobs: stores.s3! });
  });
  afterAll(async () => ctx?.close());

  it('when a run, a publication and a query by example use the bucket, then every derived file is in it and none in the data folder', async () => {
    const dir = tempDir('s3-run');
    const coffee = await cupOnTable(dir, 'coffee.png');
    await uniqueCopy('motorcycle_left.png', dir);
    writeFileSync(join(dir, 'notes.txt'), 'not an image');
    const sha256 = await fileSha256(coffee);
    const analyst = await ctx.store.tokens.create('s3-analyst', 'analyst');
    const reviewer = await ctx.store.tokens.create('s3-reviewer', 'reviewer');
    const tagger = await ctx.store.tokens.create('s3-tagger', 'tagger');

    await ctx.withWorker(async (taskQueue) => {
      const runId = await startRun(ctx.client, taskQueue, dir, { pageSize: 1 });
      const progress = await ctx.client.workflow.getHandle(runId).result() as BatchProgress;
      expect(progress).toMatchObject({ found: 3, done: 2, skipped: 0, failed: 1 });
      expect(progress.failures[0]!.path).toBe(join(dir, 'notes.txt'));
      // The listing is kept in the bucket, in pieces any worker machine can read.
      expect(await stores.s3!.has(`runs/${runId.replace(/[^\w-]/g, '_')}/listing.json`)).toBe(true);

      const cup = (await ctx.store.images.cluesOf(sha256)).find((c) => c.type === 'object' && c.value === 'cup');
      expect(cup?.detail?.crop).toMatch(/^crops\/[0-9a-f]{2}\//);
      const crop = await stores.s3!.get(cup!.detail!.crop as string);
      expect((await sharp(crop).metadata()).format).toBe('jpeg');
      expect(existsSync(join(s3.root, 'evidence-derived', 'clues', cup!.detail!.crop as string))).toBe(true);
      expect(existsSync(join(ctx.cfg.dataDir, cup!.detail!.crop as string))).toBe(false);
      const image = await ctx.store.images.get(sha256);
      expect(await stores.s3!.has(image!.featuresPath!)).toBe(true);

      const server = createApp(ctx.store, { temporal: { client: ctx.client, taskQueue }, blobs: stores.s3! }).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const call = (path: string, token: string, init: RequestInit = {}) => fetch(base + path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
      try {
        const published = await call('/api/crops', reviewer, { method: 'POST', body: JSON.stringify({ clueId: cup!._id }), headers: { 'content-type': 'application/json' } });
        expect(published.status, await published.clone().text()).toBe(201);
        const { id } = (await published.json()) as { id: string };
        expect(await stores.s3!.has(`public-crops/${id}.jpg`)).toBe(true);
        const picture = await call(`/api/public/crops/${id}/image`, tagger);
        expect(picture.status).toBe(200);
        expect(picture.headers.get('content-type')).toMatch(/image\/jpeg/);
        expect((await sharp(Buffer.from(await picture.arrayBuffer())).metadata()).exif).toBeUndefined();

        const query = readFileSync(coffee);
        const similar = await call('/api/similar?limit=2', analyst, { method: 'POST', body: query, headers: { 'content-type': 'image/png' } });
        expect(similar.status).toBe(200);
        expect(((await similar.json()) as { hits: { sha256: string; tier: string }[] }).hits[0]).toMatchObject({ sha256, tier: 'duplicate' });
        // The query image is kept (until it expires) under the query's name, in the bucket.
        const uploads = [];
        for await (const e of stores.s3!.list('uploads')) uploads.push(e.key);
        expect(uploads.filter((k) => k.startsWith(`uploads/similar-${sha256.slice(0, 16)}-`))).toHaveLength(1);
        // A file that is no image is refused, and its upload deleted at once.
        const refused = await call('/api/similar', analyst, { method: 'POST', body: readFileSync('/etc/passwd'), headers: { 'content-type': 'application/octet-stream' } });
        expect(refused.status).toBe(422);
        const after = [];
        for await (const e of stores.s3!.list('uploads')) after.push(e.key);
        expect(after.sort()).toEqual(uploads.sort());
      } finally {
        server.close();
      }
    });
  }, 240_000);
});

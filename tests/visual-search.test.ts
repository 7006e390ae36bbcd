import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Binary, type Collection, type Document, type FindCursor } from 'mongodb';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBlobStore } from '../blobs/open';
import { formatRegionIndexCount, regionIndexCount, regionIndexRebuilder } from '../cli/reindex-regions';
import { REGION_DIMS, REGION_MODEL } from '../models/region-descriptors';
import type { ImageDoc } from '../store';
import { SHORTLIST, findSimilar } from '../usecases/similar-images';
import { REGION_INDEX_FILE, RegionIndex, readRegionMeta } from '../vectors/region-index';
import { regionIndexDir } from '../vectors/open-region-index';
import { fromF16, toF16, toInt8 } from '../core/compact-vectors';
import { SAMPLES, tempDir } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

let ctx: TestContext;
let dir: string;

beforeAll(async () => {
  ctx = await openTestContext('visual');
  dir = tempDir('visual');
});
afterAll(async () => ctx?.close());

/** `n` unit rows of REGION_DIMS signed bytes near `base` (or random), for images without pixels. */
function regionsNear(base: Int8Array | undefined, rows: number, seed: number): Int8Array {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const out = new Int8Array(rows * REGION_DIMS);
  for (let row = 0; row < rows; row++) {
    const v = Array.from({ length: REGION_DIMS }, (_, d) => (base ? base[(row % (base.length / REGION_DIMS)) * REGION_DIMS + d]! / 127 : 0) + 0.05 * r());
    const n = Math.hypot(...v);
    out.set(toInt8(v.map((x) => x / n)), row * REGION_DIMS);
  }
  return out;
}

/** A SHA-256-like id whose first 14 hex digits (the index key) differ with `i`. */
const sha = (i: number, tag: string) => `${tag}${i.toString(16).padStart(13, '0')}${'0'.repeat(50)}`;
const boxes = (n: number) => Array.from({ length: n }, () => ({ x: 0, y: 0, w: 1, h: 1 }));

describe('compact descriptors', () => {
  it('when an embedding is stored as f16, then it reads back within 5e-4 at a quarter of the bytes of doubles', () => {
    const v = Array.from({ length: 1280 }, (_, i) => Math.sin(i) / 30);
    const back = fromF16(toF16(v));
    expect(toF16(v).length).toBe(2560);
    expect(Math.max(...v.map((x, i) => Math.abs(x - back[i]!)))).toBeLessThan(5e-4);
  });
});

describe('the region index is derived data', () => {
  const open = (d: string) => RegionIndex.open({ dir: d, model: REGION_MODEL, dims: REGION_DIMS, repo: ctx.store.regions });
  const save = (i: number) => ctx.store.regions.save(sha(i, 'a'), { model: REGION_MODEL, dims: REGION_DIMS, kinds: 'wgg', boxes: boxes(3), vectors: regionsNear(undefined, 3, i + 1) });

  it('when images are saved after the last save of the index (a crash), then reopening replays them; an unreadable file is rebuilt', async () => {
    const d = join(dir, 'index-a');
    await save(1);
    await save(2);
    const first = await open(d);
    expect(first.status.images).toBeGreaterThanOrEqual(2);
    await first.flush();
    const held = first.status.images;
    await save(3); // saved while the holder is gone: never flushed into the file
    const again = await open(d);
    expect(again.status.images).toBe(held + 1);
    expect(readRegionMeta(d)!.seq).toBe(await ctx.store.regions.lastSeq());
    writeFileSync(join(d, REGION_INDEX_FILE), 'not an index');
    const rebuilt = await open(d);
    expect(rebuilt.status.images).toBe(await ctx.store.regions.count());
  });

  it('when the database is behind the index (restored from before it), then the index is rebuilt, not trusted', async () => {
    const d = join(dir, 'index-b');
    await save(5);
    const idx = await open(d);
    await idx.close();
    const meta = readRegionMeta(d)!;
    writeFileSync(join(d, 'regions.json'), JSON.stringify({ ...meta, seq: meta.seq + 1000, images: 999_999 }));
    const reopened = await open(d);
    expect(reopened.status.images).toBe(await ctx.store.regions.count());
  });

  it('when reindex rebuilds it, then status counts it against the database', async () => {
    const line = await regionIndexRebuilder.rebuild(ctx.cfg, ctx.store);
    expect(line).toMatch(/region index: \d+ images/);
    const count = await regionIndexCount(ctx.cfg, ctx.store);
    expect(count).toMatchObject({ indexed: count.database, behind: 0 });
    expect(existsSync(join(regionIndexDir(ctx.cfg), REGION_INDEX_FILE))).toBe(true);
    await save(4);
    expect(formatRegionIndexCount(await regionIndexCount(ctx.cfg, ctx.store))).toMatch(/1 change\(s\) behind the database/);
    rmSync(regionIndexDir(ctx.cfg), { recursive: true, force: true });
  });
});

/** Counts the documents read from a collection through find() (what a query costs the store). */
function countReads(coll: Collection<ImageDoc>): { reads: () => number; restore: () => void } {
  let n = 0;
  const find = coll.find.bind(coll);
  const wrapped = ((...args: Parameters<typeof find>) => {
    const cursor = find(...args) as FindCursor<Document>;
    const toArray = cursor.toArray.bind(cursor);
    cursor.toArray = async () => {
      const docs = await toArray();
      n += docs.length;
      return docs;
    };
    return cursor;
  }) as typeof coll.find;
  coll.find = wrapped;
  return { reads: () => n, restore: () => (coll.find = find) };
}

describe('a query reads a bounded number of image documents', () => {
  it('when the store holds thousands of images that all look like the query, then one query reads at most the shortlist, and names those it cannot check', async () => {
    const crop = join(dir, 'coffee-crop.png');
    await sharp(join(SAMPLES, 'coffee.png')).extract({ left: 150, top: 60, width: 300, height: 250 }).toFile(crop);
    const q = await ctx.engine.query({ path: crop });
    expect(q.regions!.dims).toBe(REGION_DIMS);
    const reads: number[] = [];
    for (const size of [300, 1500]) {
      const have = await ctx.store.images.images.countDocuments({ _id: { $regex: '^b' } });
      const now = new Date();
      const images: ImageDoc[] = [];
      for (let i = have; i < size; i++) {
        images.push({ _id: sha(i, 'b'), sha256: sha(i, 'b'), paths: [`/seizure/b${i}.jpg`], cases: [], status: 'processed', createdAt: now, updatedAt: now, featuresPath: `features/missing/b${i}.orb`, embedding: new Binary(toF16(q.embedding)) });
        await ctx.store.regions.save(sha(i, 'b'), { model: REGION_MODEL, dims: REGION_DIMS, kinds: q.regions!.kinds, boxes: q.regions!.boxes, vectors: regionsNear(q.regions!.vectors, q.regions!.kinds.length, i + 7) });
      }
      await ctx.store.images.bulkInsert(images, []);
      const spy = countReads(ctx.store.images.images);
      try {
        const res = await findSimilar({ store: ctx.store, engine: ctx.engine, blobs: openBlobStore(ctx.cfg.storage), index: ctx.index }, q, { limit: 10 });
        expect(res.searched.indexed).toBeGreaterThanOrEqual(size);
        expect(res.searched.shortlisted).toBe(SHORTLIST);
        // Their keypoint files are missing: each shortlisted image is skipped and named, the query answers.
        expect(res.skipped.length).toBeGreaterThan(0);
        expect(res.skipped[0]).toMatchObject({ path: expect.stringMatching(/^\/seizure\/b\d+\.jpg$/), reason: expect.stringContaining('keypoints file cannot be read') });
      } finally {
        spy.restore();
      }
      reads.push(spy.reads());
    }
    // The shortlist, the same bytes and the PDQ index's candidates: never the store.
    for (const n of reads) expect(n).toBeLessThanOrEqual(SHORTLIST + 20);
    expect(reads[1]).toBeLessThanOrEqual(reads[0]! + 20);
  });
});

import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { createApp } from '../api/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageWorkflowId } from '../client/temporal-client';
import { findSimilar, rankSimilar } from '../usecases/similar-images';
import { fileSha256 } from '../models/file-hashes';
import { decodeFeatures, OrbMatcher } from '../models/local-features';
import { cosine, MIN_SIMILAR_COSINE } from '../models/similarity';
import { openBlobStore } from '../blobs/open';
import { runCli } from './support/cli';
import { SAMPLES, tempDir, uniqueCopy } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';
import { searchHits } from './support/store';

const EVAL_SOURCES = join(__dirname, '..', 'eval', 'source');
let ctx: TestContext;
let matcher: OrbMatcher;
let dir: string;
const gallery: Record<string, string> = {};

async function ingest(paths: string[]): Promise<void> {
  await ctx.withWorker(async (taskQueue) => {
    for (const path of paths) {
      const sha256 = await fileSha256(path);
      await ctx.client.workflow.execute('processImage', { workflowId: imageWorkflowId(sha256), taskQueue, args: [{ path, sha256 }], workflowIdReusePolicy: 'ALLOW_DUPLICATE' });
    }
  });
}

beforeAll(async () => {
  ctx = await openTestContext('similar');
  matcher = await OrbMatcher.create();
  dir = tempDir('similar');
  for (const name of ['motorcycle_left.png', 'coffee.png', 'chelsea.png', 'rocket.jpg']) gallery[name] = await uniqueCopy(name, dir);
  // A real pair (OpenCV's samples): a box of breadsticks alone, and in a cluttered scene.
  for (const name of ['box.png', 'box_in_scene.png']) {
    gallery[name] = join(dir, name);
    copyFileSync(join(EVAL_SOURCES, name), gallery[name]);
  }
  await ingest(Object.values(gallery));
});
afterAll(async () => ctx?.close());

const query = (path: string) => ctx.engine.query({ path });
/** The hits of a search by example through the region index, as the worker runs it. */
const similar = async (q: Awaited<ReturnType<typeof query>>) => (await findSimilar({ store: ctx.store, engine: ctx.engine, blobs: openBlobStore(ctx.cfg.storage), index: ctx.index }, q)).hits;

describe('similar images, in tiers', () => {
  it('when the query is the same file, then it is a duplicate, ahead of everything else', async () => {
    const hits = await similar(await query(gallery['coffee.png']!));
    expect(hits[0]).toMatchObject({ tier: 'duplicate', path: gallery['coffee.png'] });
  });

  it('when the query is a re-encoded, resized copy, then it is a near-duplicate by PDQ', async () => {
    const copy = join(dir, 'coffee-copy.jpg');
    await sharp(gallery['coffee.png']!).resize(400).jpeg({ quality: 70 }).toFile(copy);
    const hits = await similar(await query(copy));
    expect(hits[0]).toMatchObject({ tier: 'near-duplicate', path: gallery['coffee.png'], reason: expect.stringMatching(/PDQ distance \d+/) });
  });

  it('when the query is the same scene from another viewpoint, then it is same-scene with the keypoint evidence', async () => {
    const hits = await similar(await query(join(EVAL_SOURCES, 'motorcycle_right.png')));
    expect(hits[0]).toMatchObject({ tier: 'same-scene', path: gallery['motorcycle_left.png'] });
    expect(hits[0]!.signals.inliers).toBeGreaterThanOrEqual(15);
  });

  it('when the query is a crop of an object, then the image it came from is found', async () => {
    const crop = join(dir, 'cup-crop.png');
    await sharp(gallery['coffee.png']!).extract({ left: 150, top: 60, width: 300, height: 250 }).toFile(crop);
    const hits = await similar(await query(crop));
    expect(hits[0]).toMatchObject({ tier: 'same-scene', path: gallery['coffee.png'] });
  });

  it('when a crop is verified in one photo, and that photo in another, then the other ranks too with the link as its reason', async () => {
    // The middle of the box: too small and turned in the cluttered scene for the crop alone.
    const crop = join(dir, 'box-middle.png');
    await sharp(gallery['box.png']!).extract({ left: 97, top: 67, width: 130, height: 89 }).toFile(crop);
    const hits = await similar(await query(crop));
    expect(hits[0]).toMatchObject({ tier: 'same-scene', path: gallery['box.png'] });
    const scene = hits.find((h) => h.path === gallery['box_in_scene.png']);
    expect(scene).toMatchObject({ tier: 'same-scene', reason: expect.stringContaining(`through ${gallery['box.png']}`) });
    expect(scene!.score).toBeLessThan(hits[0]!.score);
  });

  it('when the query is a small crop, then its shortlist is checked again with dense keypoints and its source comes first', async () => {
    const photos = ['leuvenA.jpg', 'leuvenB.jpg', 'graf1.png'].map((n) => join(EVAL_SOURCES, n));
    const described = await Promise.all(photos.map((p) => query(p)));
    const candidates = described.map((d, i) => ({ sha256: d.sha256, path: photos[i]!, pdq: d.pdq, embedding: d.embedding, featuresPath: photos[i]! }));
    const crop = join(dir, 'leuven-small.png');
    const m = await sharp(photos[0]!).metadata();
    await sharp(photos[0]!).extract({ left: Math.round(m.width! / 2 - 70), top: Math.round(m.height! * 0.45 - 50), width: 140, height: 100 }).toFile(crop);
    const q = await query(crop);
    const features = (cs: { path: string }[]) => cs.map((c) => described[photos.indexOf(c.path)]!.features);
    const rank = (dense: boolean) =>
      rankSimilar(q, candidates, (cs) => ctx.engine.match(q.features, features(cs)), {}, undefined, dense ? (cs) => ctx.engine.matchDense(q.features, cs.map((c) => ({ path: c.path }))) : undefined);
    expect((await rank(false)).filter((h) => h.tier === 'same-scene')).toEqual([]); // 1000 keypoints over the whole photo: too few in the crop's part
    const hits = await rank(true);
    expect(hits[0]).toMatchObject({ tier: 'same-scene', path: photos[0], reason: expect.stringContaining('found densely for this small query') });
    expect(hits.filter((h) => h.tier === 'same-scene').map((h) => h.path)).not.toContain(photos[2]);
  });

  it('when two photos show one scene, then their embeddings are close; unrelated photos are far apart', async () => {
    const [left, right, cat, rocket] = await Promise.all([gallery['motorcycle_left.png']!, join(EVAL_SOURCES, 'motorcycle_right.png'), gallery['chelsea.png']!, gallery['rocket.jpg']!].map((p) => query(p)));
    expect(left!.embedding).toHaveLength(1280);
    expect(cosine(left!.embedding, right!.embedding)).toBeGreaterThan(MIN_SIMILAR_COSINE);
    expect(cosine(cat!.embedding, rocket!.embedding)).toBeLessThan(MIN_SIMILAR_COSINE);
    expect(cosine(cat!.embedding, left!.embedding)).toBeLessThan(MIN_SIMILAR_COSINE);
  });

  it('when the query is unrelated, then nothing is called the same scene or a copy', async () => {
    const hits = await similar(await query(join(SAMPLES, 'astronaut.png')));
    expect(hits.filter((h) => h.tier !== 'similar')).toEqual([]);
  });
});

describe('keypoint matching memory', () => {
  it('when two images are matched hundreds of times, then the wasm heap does not grow (each match used to leak ~55 KB)', async () => {
    const [a, b] = (await Promise.all([query(gallery['motorcycle_left.png']!), query(gallery['coffee.png']!)])).map((q) => ({ ...q, features: decodeFeatures(Buffer.from(q.features), 'q') }));
    for (let i = 0; i < 50; i++) matcher.match(a!.features, b!.features); // warm up the allocator
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 400; i++) matcher.match(a!.features, b!.features);
    expect((process.memoryUsage().rss - before) / 2 ** 20).toBeLessThan(8); // the leak made it ~22 MiB
  });
});

describe('known places', () => {
  it('when a reference image of a place exists, then a new image of that place gets it as a candidate location', async () => {
    const ref = await query(gallery['motorcycle_left.png']!);
    const featuresPath = `features/places/${ref.sha256}.orb`;
    await openBlobStore(ctx.cfg.storage).put(featuresPath, Buffer.from(ref.features));
    await ctx.store.places.add({ _id: ref.sha256, name: 'Garage, 12 Elm Street', path: gallery['motorcycle_left.png']!, embedding: ref.embedding, featuresPath });

    const other = join(dir, 'motorcycle_right.png');
    copyFileSync(join(EVAL_SOURCES, 'motorcycle_right.png'), other);
    await ingest([other]);
    const sha256 = await fileSha256(other);
    const locations = (await ctx.store.images.cluesOf(sha256)).filter((c) => c.type === 'location');
    expect(locations).toHaveLength(1);
    expect(locations[0]).toMatchObject({ value: 'Garage, 12 Elm Street', detail: { placeId: ref.sha256 } });
    expect(locations[0]!.score).toBeGreaterThan(0.5);
    expect((await searchHits(ctx.store, { text: 'elm' })).length).toBe(0); // a location is not text
  });
});

describe('similarity from the command line', () => {
  it('when `clues similar --json` is given a crop, then it prints results best first with path, sha256, score and reason', async () => {
    const crop = join(dir, 'bike-crop.png');
    await sharp(gallery['motorcycle_left.png']!).extract({ left: 300, top: 150, width: 300, height: 250 }).toFile(crop);
    // The CLI asks the workers, through Temporal, as the API does.
    const res = await ctx.withWorker((taskQueue) => runCli(['similar', crop, '--json', '--limit', '3'], { CLUES_DB_NAME: ctx.dbName, CLUES_TASK_QUEUE: taskQueue }));
    expect(res.code).toBe(0);
    const { hits } = JSON.parse(res.stdout) as { hits: { path: string; sha256: string; score: number; tier: string; reason: string }[] };
    expect(hits[0]).toMatchObject({ path: gallery['motorcycle_left.png'], tier: 'same-scene', reason: expect.stringMatching(/keypoints/) });
    expect(hits[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(hits.length).toBeLessThanOrEqual(3);
  });

  it('when `clues place add` is run, then `clues place list` shows the place', async () => {
    const add = await ctx.withWorker((taskQueue) => runCli(['place', 'add', join(SAMPLES, 'coffee.png'), '--name', 'Cafe Aurora, table 3'], { CLUES_DB_NAME: ctx.dbName, CLUES_TASK_QUEUE: taskQueue }));
    expect(add.code).toBe(0);
    const list = JSON.parse((await runCli(['place', 'list', '--json'], { CLUES_DB_NAME: ctx.dbName })).stdout) as { name: string }[];
    expect(list.map((p) => p.name)).toContain('Cafe Aurora, table 3');
    const bad = await runCli(['place', 'add', join(SAMPLES, 'coffee.png')], { CLUES_DB_NAME: ctx.dbName });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/usage: clues place add/);
  });
});

describe('query by example through the API', () => {
  it('when an analyst uploads a crop, then a worker ranks the stored images and the API answers with tiers', async () => {
    const analyst = await ctx.store.tokens.create('example-analyst', 'analyst');
    const reviewer = await ctx.store.tokens.create('example-reviewer', 'reviewer');
    await ctx.withWorker(async (taskQueue) => {
      const server = createApp(ctx.store, { temporal: { client: ctx.client, taskQueue }}).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const crop = await sharp(gallery['coffee.png']!).extract({ left: 150, top: 60, width: 300, height: 250 }).png().toBuffer();
        const res = await fetch(`${base}/api/similar?limit=3`, { method: 'POST', body: crop, headers: { authorization: `Bearer ${analyst}`, 'content-type': 'image/png' } });
        expect(res.status).toBe(200);
        const { hits } = (await res.json()) as { hits: { path: string; tier: string }[] };
        expect(hits[0]).toMatchObject({ path: gallery['coffee.png'], tier: 'same-scene' });

        const bad = await fetch(`${base}/api/similar`, { method: 'POST', body: Buffer.from('not an image at all'), headers: { authorization: `Bearer ${analyst}`, 'content-type': 'image/jpeg' } });
        expect(bad.status).toBe(422);

        const view = await sharp(join(EVAL_SOURCES, 'motorcycle_right.png')).png().toBuffer();
        const refused = await fetch(`${base}/api/places?name=Workshop`, { method: 'POST', body: view, headers: { authorization: `Bearer ${analyst}`, 'content-type': 'image/png' } });
        expect(refused.status).toBe(403);
        const added = await fetch(`${base}/api/places?name=${encodeURIComponent('Workshop, Mill Lane')}`, { method: 'POST', body: view, headers: { authorization: `Bearer ${reviewer}`, 'content-type': 'image/png' } });
        expect(added.status).toBe(201);
        expect(((await added.json()) as { matched: number }).matched).toBeGreaterThanOrEqual(1);
        // The image stored before the place existed now carries it as a location.
        const locations = (await ctx.store.images.cluesOf(await fileSha256(gallery['motorcycle_left.png']!))).filter((c) => c.type === 'location');
        expect(locations.map((l) => l.value)).toContain('Workshop, Mill Lane');
      } finally {
        server.close();
      }
    });
  });
});

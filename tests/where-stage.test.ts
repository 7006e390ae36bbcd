import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { imageWorkflowId } from '../client/temporal-client';
import type { ProcessImageResult } from '../core/clues';
import { fileSha256 } from '../models/file-hashes';
import type { WhereResult } from '../where';
import { runCli } from './support/cli';
import { SAMPLES, tempDir } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';
import { searchHits } from './support/store';

// Where and when, through the workflow: the stage runs after the others are saved, its countries,
// regions and time window become searchable clues, and the API, the CLI and a new tag reach it.

let ctx: TestContext;
let dir: string;

/** A Polish shop sign on a photo, with the camera's time, its UTC offset and a GPS fix in Warsaw. */
async function polishShop(name: string): Promise<string> {
  const sign = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="560" height="150"><rect width="560" height="150" fill="white"/>
    <text x="20" y="60" font-size="44" font-family="DejaVu Sans" font-weight="bold">SKLEP SPOZYWCZY</text>
    <text x="20" y="120" font-size="36" font-family="DejaVu Sans">tel. +48 22 845 67 12</text></svg>`);
  const path = join(dir, name);
  await sharp(join(SAMPLES, 'coffee.png'))
    .composite([{ input: sign, left: 20, top: 20 }])
    .jpeg({ quality: 92 })
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'TestCam 1' },
      IFD2: { DateTimeOriginal: '2019:06:14 15:22:10', OffsetTimeOriginal: '+02:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 13/1 5600/100', GPSLongitudeRef: 'E', GPSLongitude: '21/1 0/1 4400/100' },
    })
    .toFile(path);
  return path;
}

beforeAll(async () => {
  ctx = await openTestContext('where');
  dir = tempDir('where');
});
afterAll(async () => ctx?.close());

describe('the where stage', () => {
  let sha256: string;
  let path: string;

  it('when an image with Polish text, a Polish phone number, GPS in Warsaw and a camera time is processed, then Poland ranks first with its evidence, and the time window holds the camera time', async () => {
    path = await polishShop('sklep.jpg');
    sha256 = await fileSha256(path);
    const result = (await ctx.withWorker((taskQueue) =>
      ctx.client.workflow.execute('processImage', { workflowId: imageWorkflowId(sha256), taskQueue, args: [{ path, sha256 }], workflowIdReusePolicy: 'ALLOW_DUPLICATE' }),
    )) as ProcessImageResult;
    expect(result.stages.where).toBe('ok');
    const image = await ctx.store.images.get(sha256);
    const where = image!.where!;
    expect(where.noEvidence).toBe(false);
    expect(where.countries[0]).toMatchObject({ country: 'PL' });
    const sources = new Set(where.countries[0]!.for.map((e) => e.source));
    expect(sources).toContain('gps');
    expect(sources).toContain('phone');
    expect(where.time!.window.from <= '2019-06-14T13:22:10.000Z' && where.time!.window.to >= '2019-06-14T13:22:10.000Z').toBe(true);
    const clues = await ctx.store.images.cluesOf(sha256);
    expect(clues.find((c) => c.type === 'country')).toMatchObject({ value: 'PL', stage: 'where' });
    expect(clues.find((c) => c.type === 'time')?.tokens).toEqual(expect.arrayContaining(['2019-06', '2019']));
  });

  it('when searching by country and by a period, then the image is found, and a period that misses it does not find it', async () => {
    expect((await searchHits(ctx.store, { country: 'PL' })).map((h) => h.sha256)).toContain(sha256);
    expect((await searchHits(ctx.store, { country: 'Poland' })).map((h) => h.sha256)).toContain(sha256);
    expect((await searchHits(ctx.store, { country: 'PL', from: '2019', to: '2020' })).map((h) => h.sha256)).toContain(sha256);
    expect((await searchHits(ctx.store, { from: '2019-06', to: '2019-06' })).map((h) => h.sha256)).toContain(sha256);
    expect((await searchHits(ctx.store, { country: 'PL', from: '2021' })).map((h) => h.sha256)).not.toContain(sha256);
  });

  it('when `clues where` and `clues search --country --from --to` are run, then they print the ranking and find the image', async () => {
    const where = await runCli(['where', sha256], { CLUES_DB_NAME: ctx.dbName });
    expect(where.code).toBe(0);
    expect(where.stdout).toMatch(/^1\. Poland \(PL\)/);
    expect(where.stdout).toMatch(/taken between 2019-06/);
    const search = await runCli(['search', '--country', 'PL', '--from', '2019', '--to', '2021', '--json'], { CLUES_DB_NAME: ctx.dbName });
    expect(JSON.parse(search.stdout).map((h: { sha256: string }) => h.sha256)).toContain(sha256);
  });

  it('when the API is asked, then it answers the ranking (audited), for the image and for its series', async () => {
    const token = await ctx.store.tokens.create('where-analyst', 'analyst');
    await ctx.withWorker(async (taskQueue) => {
      const server = createApp(ctx.store, { temporal: { client: ctx.client, taskQueue } }).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const one = await fetch(`${base}/api/images/${sha256}/where`, { headers: { authorization: `Bearer ${token}` } });
        expect(one.status).toBe(200);
        expect(((await one.json()) as WhereResult).countries[0]!.country).toBe('PL');
        const series = await fetch(`${base}/api/images/${sha256}/where?series=true`, { headers: { authorization: `Bearer ${token}` } });
        expect(series.status).toBe(200);
        const s = (await series.json()) as WhereResult & { series: string[] };
        expect(s.series).toContain(sha256);
        expect(s.countries[0]!.country).toBe('PL');
        const tagger = await ctx.store.tokens.create('where-tagger', 'tagger');
        expect((await fetch(`${base}/api/images/${sha256}/where`, { headers: { authorization: `Bearer ${tagger}` } })).status).toBe(403);
      } finally {
        server.close();
      }
    });
    expect((await ctx.store.audit.recent(20)).map((a) => a.action)).toEqual(expect.arrayContaining(['view-where', 'view-where-series']));
  });

  it('when an image without any clue of place is processed, then it says "no evidence", never a guess', async () => {
    const blank = join(dir, 'blank.png');
    await sharp({ create: { width: 320, height: 240, channels: 3, background: '#7a8a9a' } }).png().toFile(blank);
    const sha = await fileSha256(blank);
    await ctx.withWorker((taskQueue) => ctx.client.workflow.execute('processImage', { workflowId: imageWorkflowId(sha), taskQueue, args: [{ path: blank, sha256: sha }], workflowIdReusePolicy: 'ALLOW_DUPLICATE' }));
    const image = await ctx.store.images.get(sha);
    expect(image?.where).toMatchObject({ noEvidence: true, countries: [] });
    expect(image?.stages?.where).toMatchObject({ status: 'ok', reason: 'no evidence of where the image was taken' });
    expect((await ctx.store.images.cluesOf(sha)).filter((c) => c.type === 'country')).toEqual([]);
  });
});

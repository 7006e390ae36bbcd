import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { imageWorkflowId } from '../client/temporal-client';
import type { ProcessImageResult } from '../core/clues';
import { loadConfig } from '../core/config';
import { EngineFailure } from '../engine/engine-errors';
import type { EngineProcess } from '../engine/engine-process';
import { EnginePool } from '../engine/engine-pool';
import { startEngine } from '../engine/start-engine';
import { fileSha256 } from '../models/file-hashes';
import { PpOcrTextReader } from '../models/ppocr-text-reader';
import { TesseractTextReader } from '../models/tesseract-text-reader';
import { readTiled, tilesFor, type InputLimits } from '../models/tiles';
import { SAMPLES, tempDir, textOnPhoto, uniqueCopy } from './support/fixtures';
import { CASCADE_SUFFIX } from '../engine/local-engine';
import { openTestContext, type TestContext } from './support/services';
import { searchHits } from './support/store';

const cfg = loadConfig();
let dir: string;
let engine: EngineProcess;

/** A white image with a sign near the bottom: what a scrolling screenshot looks like. */
async function tallWithSign(width: number, height: number, name: string, text = 'WIVENHOE BAKERY'): Promise<{ path: string; signY: number }> {
  const signY = Math.max(0, height - 2000);
  const sign = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${Math.min(width, 1000)}" height="100"><text x="40" y="70" font-size="56" font-family="DejaVu Sans" fill="black">${text}</text></svg>`);
  const path = join(dir, name);
  await sharp({ create: { width, height, channels: 3, background: 'white' } }).composite([{ input: sign, top: signY, left: 0 }]).png().toFile(path);
  return { path, signY };
}

async function blank(width: number, height: number, name: string): Promise<string> {
  const path = join(dir, name);
  await sharp({ create: { width, height, channels: 3, background: '#dddddd' } }).png().toFile(path);
  return path;
}

beforeAll(async () => {
  dir = tempDir('engine');
  engine = await startEngine(cfg);
});
afterAll(async () => engine?.close());

describe('tiles', () => {
  const limits: InputLimits = { maxSide: 1000, maxAspect: 2, minSide: 8, maxTiles: 64 };

  it('when an image fits an engine, then it is one tile', () => {
    expect(tilesFor(1920, 1080, { ...limits, maxSide: 4096 })).toHaveLength(1);
  });

  it('when an image is tall, then its tiles cover it, keep within the limits, and their cores do not overlap', () => {
    for (const [w, h] of [[1080, 33000], [200, 40000], [40000, 200], [3000, 3000], [1, 5000]] as const) {
      const tiles = tilesFor(w, h, limits);
      for (const t of tiles) {
        expect(Math.max(t.w, t.h)).toBeLessThanOrEqual(limits.maxSide);
        expect(Math.max(t.w, t.h) / Math.min(t.w, t.h)).toBeLessThanOrEqual(Math.max(limits.maxAspect, Math.max(t.w, t.h)));
        expect(t.x + t.w).toBeLessThanOrEqual(w);
        expect(t.y + t.h).toBeLessThanOrEqual(h);
      }
      const area = tiles.reduce((s, t) => s + (t.core.x1 - t.core.x0) * (t.core.y1 - t.core.y0), 0);
      expect(area).toBe(w * h); // cores partition the image
    }
  });

  it('when something lies across two tiles, then it is reported once, whole, in image coordinates', async () => {
    // A 40-row "line" straddling the boundary of the first two tiles of a 100 x 2000 strip.
    const img = { data: Buffer.alloc(100 * 2000 * 3), width: 100, height: 2000 };
    const line = { x: 10, y: 180, w: 80, h: 40 };
    const res = await readTiled(
      img,
      { maxSide: 400, maxAspect: 4, minSide: 8, maxTiles: 64 },
      async (tile) => {
        // The tile "sees" the line if it lies wholly inside it; tile offsets are found from the data view.
        const top = (tile.data.byteOffset - img.data.byteOffset) / (100 * 3);
        return line.y >= top && line.y + line.h <= top + tile.height ? [{ box: { ...line, y: line.y - top } }] : [];
      },
      (item, dx, dy) => ({ box: { ...item.box, x: item.box.x + dx, y: item.box.y + dy } }),
      async (i) => i,
    );
    expect(res.tiles).toBeGreaterThan(1);
    expect(res.items).toEqual([{ box: line }]);
  });
});

describe('each engine states its input limits', () => {
  it('when tesseract is given more than its limit, then it refuses with a clear error instead of crashing its thread', async () => {
    const reader = await TesseractTextReader.create('eng', 1);
    try {
      expect(reader.limits.maxSide).toBeLessThan(32768); // leptonica's hard limit
      await expect(reader.read({ data: Buffer.alloc(10 * 40000 * 3, 255), width: 10, height: 40000 })).rejects.toThrow(/exceeds 8192 px: tile it/);
      // The same reader still reads afterwards.
      const ok = await sharp({ create: { width: 300, height: 60, channels: 3, background: 'white' } }).raw().toBuffer();
      await expect(reader.read({ data: ok, width: 300, height: 60 })).resolves.toEqual([]);
    } finally {
      await reader.close();
    }
  });

  it('when PP-OCR is asked its limits, then they keep tiles no more elongated than 2:1', async () => {
    const reader = await PpOcrTextReader.create(1);
    try {
      expect(reader.limits).toMatchObject({ maxAspect: 2, minSide: 8 });
    } finally {
      await reader.close();
    }
  });
});

describe('the engine process with images too tall or wide for its engines', () => {
  it.each([
    [1, 32768],
    [200, 40000],
    [40000, 200],
  ])('when a %ix%i image goes through every operation, then each answers and nothing crashes', async (w, h) => {
    const path = await blank(w, h, `blank-${w}x${h}.png`);
    await expect(engine.probe({ path })).resolves.toMatchObject({ width: w, height: h });
    await expect(engine.pdq({ path })).resolves.toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await expect(engine.text({ path })).resolves.toMatchObject({ lines: [], failures: [] });
    await expect(engine.objects({ path }, 0.1)).resolves.toMatchObject({ found: [] });
    await expect(engine.describe({ path })).resolves.toMatchObject({ embedding: expect.any(Array) });
  });

  it('when a 1080 x 33,000 scrolling screenshot has a sign near its end, then it is read in tiles, where it is', async () => {
    const { path, signY } = await tallWithSign(1080, 33000, 'screenshot.png');
    const res = await engine.text({ path });
    const line = res.lines.find((l) => l.tokens.includes('wivenhoe'));
    expect(line?.tokens).toEqual(expect.arrayContaining(['wivenhoe', 'bakery']));
    expect(line!.box.y).toBeGreaterThanOrEqual(signY);
    expect(line!.box.y).toBeLessThan(signY + 100);
    expect(res.notes.join(' ')).toMatch(/read in \d+ tiles/);
    expect(engine.restarts).toBe(0);
  });
});

describe('the OCR cascade', () => {
  it('when a photo shows a sign, then document OCR is not run, and the stage says why', async () => {
    // A sign on a photo large enough that the sign is a small part of it (on a 451 x 300 photo it is 13%: page-like).
    const path = await textOnPhoto('motorcycle_left.png', 'WIVENHOE BAKERY', dir, 'cascade-sign.png');
    const res = await engine.text({ path });
    expect(res.lines.flatMap((l) => l.tokens)).toEqual(expect.arrayContaining(['wivenhoe', 'bakery']));
    expect(res.notes.join(' ')).toMatch(/tesseract\.js-lstm-eng not run: \d line\(s\) read, not a document/);
    expect(res.engines.map((m) => m.version)).toContain(`7.0.0${CASCADE_SUFFIX}`);
  });

  it('when an image is a page of text, then document OCR runs too and its readings are merged', async () => {
    const lines = ['Invoice number 4471', 'Delivered to Rosewood Avenue', 'Kingsley Primary School', 'Twelve boxes of paper', 'Paid in cash on Monday', 'Thank you for your order', 'Harbour Street Market'];
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="640"><rect width="900" height="640" fill="white"/>${lines.map((l, i) => `<text x="40" y="${70 + i * 80}" font-size="40" font-family="DejaVu Serif" fill="black">${l}</text>`).join('')}</svg>`;
    const path = join(dir, 'cascade-page.png');
    await sharp(Buffer.from(svg)).png().toFile(path);
    const res = await engine.text({ path });
    expect(res.notes.join(' ')).not.toMatch(/not run/);
    expect(res.lines.some((l) => l.readings.some((r) => r.engine.startsWith('tesseract')))).toBe(true);
    expect(res.lines.flatMap((l) => l.tokens)).toEqual(expect.arrayContaining(['invoice', 'rosewood', 'kingsley']));
  });
});

describe('the engine process when it dies or hangs', () => {
  it('when the engine dies with one image in it, then that call fails with the reason and the next call works', async () => {
    const { path } = await tallWithSign(1080, 20000, 'alone.png');
    const before = engine.restarts;
    const call = engine.text({ path });
    setTimeout(() => process.kill(engine.pid!, 'SIGKILL'), 300);
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineFailure);
    expect((err as EngineFailure).message).toMatch(/crashed \(signal SIGKILL\) during text of this image; it was restarted/);
    await expect(engine.probe({ path: join(SAMPLES, 'coffee.png') })).resolves.toMatchObject({ width: 600 });
    expect(engine.restarts).toBe(before + 1);
  });

  it('when the engine dies with two images in it, then each is run again alone and neither loses anything', async () => {
    const { path } = await tallWithSign(1080, 20000, 'pair-a.png');
    const other = join(SAMPLES, 'coffee.png');
    const a = engine.text({ path });
    const b = engine.objects({ path: other }, 0.1);
    setTimeout(() => process.kill(engine.pid!, 'SIGKILL'), 300);
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.lines.some((l) => l.tokens.includes('wivenhoe'))).toBe(true);
    expect(rb.found.map((f) => f.label)).toContain('cup');
  });

  it('when one call hangs past the time limit, then it fails as timed out and the engine is restarted for the next', async () => {
    const quick = await startEngine(cfg, { callTimeoutMs: 1500 });
    try {
      const { path } = await tallWithSign(1080, 33000, 'slow.png');
      const err = await quick.text({ path }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineFailure);
      expect((err as EngineFailure).code).toBe('timed-out');
      await expect(quick.probe({ path: join(SAMPLES, 'coffee.png') })).resolves.toMatchObject({ width: 600 });
      expect(quick.restarts).toBe(1);
    } finally {
      await quick.close();
    }
  });
});

describe('a pool of engine processes (one core each)', () => {
  it('when an image is decoded by one engine, then its later calls go to that engine, and two new images go to different engines', async () => {
    const engines = [engine, await startEngine(cfg)];
    try {
      const pool = new EnginePool(engines);
      const probes = engines.map((e) => vi.spyOn(e, 'probe'));
      const hashes = engines.map((e) => vi.spyOn(e, 'pdq'));
      const [a, b] = await Promise.all(['coffee.png', 'chelsea.png'].map(async (f) => ({ path: join(SAMPLES, f), sha256: await fileSha256(join(SAMPLES, f)) })));
      await Promise.all([pool.probe(a!), pool.probe(b!)]);
      expect(probes.map((p) => p.mock.calls.length)).toEqual([1, 1]);
      const first = probes.findIndex((p) => p.mock.calls[0]![0].sha256 === a!.sha256);
      await pool.pdq(a!);
      await pool.pdq(a!);
      expect(hashes[first]!.mock.calls.length).toBe(2);
      expect(hashes[1 - first]!.mock.calls.length).toBe(0);
      vi.restoreAllMocks();
    } finally {
      await engines[1]!.close();
    }
  });
});

describe('a pool whose engines split the models (text and vision roles)', () => {
  it('when an image is read, then OCR runs in the text engine and the other models in the vision engine, each loading only its own models', async () => {
    const vision = await startEngine(cfg, { env: { CLUES_ENGINE_ROLE: 'vision' } });
    const text = await startEngine(cfg, { env: { CLUES_ENGINE_ROLE: 'text' } });
    try {
      expect(vision.models.text.every((t) => !t.ok)).toBe(true);
      expect(vision.models.objects.ok).toBe(true);
      expect(text.models.objects).toMatchObject({ ok: false, reason: expect.stringContaining('another engine process') });
      const pool = new EnginePool([vision, text], ['vision', 'text']);
      expect(pool.models.objects.ok && pool.models.text.every((t) => t.ok)).toBe(true);
      const path = await textOnPhoto('coffee.png', 'WIVENHOE BAKERY', dir, 'split-pool.png');
      const src = { path, sha256: await fileSha256(path) };
      await pool.probe(src);
      const [read, objects] = await Promise.all([pool.text(src), pool.objects(src, 0.1)]);
      expect(read.lines.flatMap((l) => l.tokens)).toEqual(expect.arrayContaining(['wivenhoe', 'bakery']));
      expect(objects.found.map((o) => o.label)).toContain('cup');
      await expect(text.objects(src, 0.1)).rejects.toThrow(/no object detector: loaded by another engine process/);
    } finally {
      await Promise.all([vision.close(), text.close()]);
    }
  });
});

describe('processImage when an image crashes an engine (fault injected: the engine aborts on text of this file)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext('engine', { engineEnv: { CLUES_ENGINE_FAULT: 'text:crash-me' } });
  });
  afterAll(async () => ctx?.close());

  const run = async (path: string, taskQueue: string) =>
    ctx.client.workflow.execute('processImage', { workflowId: imageWorkflowId(await fileSha256(path)), taskQueue, args: [{ path, sha256: await fileSha256(path) }], workflowIdReusePolicy: 'ALLOW_DUPLICATE' }) as Promise<ProcessImageResult>;

  it('when the text engine crashes on one image, then that stage is failed with the reason, its other clues are kept, and the next image is processed', async () => {
    const crash = await uniqueCopy('coffee.png', dir, 'crash-me.png');
    const next = await uniqueCopy('chelsea.png', dir, 'next.png');
    const pid = process.pid;
    await ctx.withWorker(async (taskQueue) => {
      const res = await run(crash, taskQueue);
      expect(res.stages).toMatchObject({ text: 'failed', objects: 'ok', features: 'ok', hashes: 'ok' });
      const after = await run(next, taskQueue);
      expect(after.stages).toMatchObject({ text: 'ok', objects: 'ok' });
    });
    expect(process.pid).toBe(pid);
    const image = await ctx.store.images.get(await fileSha256(crash));
    expect(image?.status).toBe('processed');
    expect(image?.stages?.text).toMatchObject({ status: 'failed', reason: expect.stringMatching(/image engine crashed \(signal SIGABRT\) during text of this image/) });
    expect((await ctx.store.images.cluesOf(image!._id)).some((c) => c.type === 'object' && c.value === 'cup')).toBe(true);
  });

  it('when a 1080 x 33,000 screenshot is processed, then every stage is ok and its sign is searchable', async () => {
    const { path } = await tallWithSign(1080, 33000, 'tall-workflow.png', 'MIRAMAR HOTEL');
    await ctx.withWorker(async (taskQueue) => {
      const res = await run(path, taskQueue);
      expect(res.stages).toMatchObject({ text: 'ok', objects: 'ok', features: 'ok', hashes: 'ok', metadata: 'ok' });
    });
    const hits = await searchHits(ctx.store, { text: 'miramar' });
    expect(hits.map((h) => h.sha256)).toContain(await fileSha256(path));
  });
});

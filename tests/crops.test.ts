import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import type { Box, ClueInput } from '../core/clues';
import { loadConfig } from '../core/config';
import { screenCrop } from '../core/crop-screening';
import type { Store } from '../store';
import { SAMPLES } from './support/fixtures';
import { imageInput, openTestStore } from './support/store';

// Trace an Object through the API, on the real database: screening, the public view, tagging,
// votes, rate limits and a reviewer's acceptance turning an answer into a searchable clue.

const cfg = loadConfig();
let store: Store;
let server: Server;
let base: string;
const tokens: Record<string, string> = {};
const sha256 = randomBytes(32).toString('hex');
const clueIds: Record<string, string> = {};

async function objectWithCrop(label: string, box: Box, cropBox: Box): Promise<ClueInput> {
  const name = `${sha256.slice(0, 12)}-${label}.jpg`;
  mkdirSync(join(cfg.dataDir, 'crops', 'test'), { recursive: true });
  await sharp(join(SAMPLES, 'chelsea.png')).extract({ left: cropBox.x, top: cropBox.y, width: cropBox.w, height: cropBox.h }).jpeg().toFile(join(cfg.dataDir, 'crops', 'test', name));
  return { type: 'object', value: label, tokens: [label], box, score: 0.8, detail: { crop: `crops/test/${name}`, cropBox } };
}

async function call(path: string, token: string | null, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(base + path, {
    method: init.method ?? 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, body: type.includes('json') ? ((await res.json()) as any) : Buffer.from(await res.arrayBuffer()) };
}

beforeAll(async () => {
  ({ store } = await openTestStore('crops'));
  const meta = await sharp(join(SAMPLES, 'chelsea.png')).metadata();
  const objects = [
    await objectWithCrop('cup', { x: 20, y: 20, w: 40, h: 40 }, { x: 10, y: 10, w: 60, h: 60 }),
    await objectWithCrop('chair', { x: 250, y: 60, w: 60, h: 60 }, { x: 240, y: 50, w: 80, h: 80 }),
    await objectWithCrop('couch', { x: 10, y: 10, w: 420, h: 270 }, { x: 0, y: 0, w: meta.width! - 1, h: meta.height! - 1 }),
    { type: 'object' as const, value: 'person', tokens: ['person'], box: { x: 300, y: 100, w: 100, h: 150 }, score: 0.9 },
    await objectWithCrop('clock', { x: 130, y: 200, w: 30, h: 30 }, { x: 120, y: 190, w: 50, h: 50 }),
  ];
  // A face the faces stage found beside the clock, with no person detected around it.
  const faces = [{ type: 'face' as const, value: 'face', tokens: ['face'], box: { x: 165, y: 205, w: 20, h: 24 }, score: 0.97 }];
  const input = imageInput(sha256, { objects, faces });
  input.path = join(SAMPLES, 'chelsea.png');
  input.info = { width: meta.width!, height: meta.height!, format: 'png', bytes: 1 };
  await store.images.save(input);
  for (const c of await store.images.cluesOf(sha256)) clueIds[c.value] = c._id;
  for (const role of ['analyst', 'reviewer', 'tagger', 'admin'] as const) tokens[role] = await store.tokens.create(`crops-${role}`, role);
  tokens.tagger2 = await store.tokens.create('crops-tagger-2', 'tagger');
  server = createApp(store, { tagRate: { perToken: 1000, perAddress: 1000 } }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await store?.close();
});

describe('crop screening', () => {
  const image = { width: 400, height: 300 };
  it('when a crop touches a person box, or is a person, or covers most of the image, then it is refused with the reason', () => {
    const person = { label: 'person', box: { x: 100, y: 100, w: 50, h: 100 } };
    expect(screenCrop({ label: 'cup', cropBox: { x: 0, y: 0, w: 50, h: 50 }, image, others: [person] })).toEqual({ ok: true });
    expect(screenCrop({ label: 'cup', cropBox: { x: 90, y: 90, w: 20, h: 20 }, image, others: [person] })).toMatchObject({ ok: false, reason: 'the crop overlaps a detected person' });
    expect(screenCrop({ label: 'cup', cropBox: { x: 0, y: 0, w: 60, h: 60 }, image, others: [{ label: 'face', box: { x: 50, y: 50, w: 20, h: 20 } }] })).toMatchObject({ ok: false });
    expect(screenCrop({ label: 'person', cropBox: { x: 0, y: 0, w: 10, h: 10 }, image, others: [] })).toMatchObject({ ok: false });
    expect(screenCrop({ label: 'bed', cropBox: { x: 0, y: 0, w: 300, h: 250 }, image, others: [] })).toMatchObject({ ok: false, reason: expect.stringContaining('63%') });
  });
});

describe('publishing, tagging and review', () => {
  let cropId = '';

  it('when a reviewer publishes a screened object, then it gets a TAO id; publishing again returns the same one', async () => {
    const first = await call('/api/crops', tokens.reviewer!, { method: 'POST', body: { clueId: clueIds.cup } });
    expect(first.status).toBe(201);
    expect(first.body.id).toMatch(/^TAO-[0-9A-F]{10}$/);
    cropId = first.body.id;
    const again = await call('/api/crops', tokens.reviewer!, { method: 'POST', body: { clueId: clueIds.cup } });
    expect(again).toMatchObject({ status: 200, body: { id: cropId } });
  });

  it('when a crop overlaps a person or covers most of the image, then publishing answers 422 with the reason and is audited', async () => {
    const chair = await call('/api/crops', tokens.reviewer!, { method: 'POST', body: { clueId: clueIds.chair } });
    expect(chair).toMatchObject({ status: 422, body: { error: 'refused by screening: the crop overlaps a detected person' } });
    const couch = await call('/api/crops', tokens.reviewer!, { method: 'POST', body: { clueId: clueIds.couch } });
    expect(couch.status).toBe(422);
    expect(couch.body.error).toMatch(/covers \d+% of the image/);
    expect((await store.audit.recent(1))[0]).toMatchObject({ actor: 'crops-reviewer (reviewer)', action: 'publish-refused' });
  });

  it('when a crop touches a face that no person box surrounds, or the image was never checked for faces, then publishing answers 422', async () => {
    const clock = await call('/api/crops', tokens.reviewer!, { method: 'POST', body: { clueId: clueIds.clock } });
    expect(clock).toMatchObject({ status: 422, body: { error: 'refused by screening: the crop overlaps a detected face' } });
    const unchecked = randomBytes(32).toString('hex');
    const input = imageInput(unchecked, { objects: [{ ...(await objectWithCrop('cup', { x: 20, y: 20, w: 40, h: 40 }, { x: 10, y: 10, w: 60, h: 60 })) }] });
    input.info = { width: 451, height: 300, format: 'png', bytes: 1 };
    await store.images.save(input);
    const cup = (await store.images.cluesOf(unchecked)).find((c) => c.value === 'cup')!;
    const res = await call('/api/crops', tokens.reviewer!, { method: 'POST', body: { clueId: cup._id } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/faces were not checked on this image \(faces stage not run\)/);
  });

  it('when an analyst or a tagger tries to publish, then it is refused with 403', async () => {
    expect((await call('/api/crops', tokens.analyst!, { method: 'POST', body: { clueId: clueIds.cup } })).status).toBe(403);
    expect((await call('/api/crops', tokens.tagger!, { method: 'POST', body: { clueId: clueIds.cup } })).status).toBe(403);
  });

  it('when a tagger lists crops, then only published crops appear, with nothing that leads to the image', async () => {
    const list = await call('/api/public/crops', tokens.tagger!);
    expect(list.status).toBe(200);
    expect(list.body.map((c: { id: string }) => c.id)).toContain(cropId);
    expect(JSON.stringify(list.body)).not.toContain(sha256);
    expect(JSON.stringify(list.body)).not.toContain('chelsea');
    const picture = await call(`/api/public/crops/${cropId}/image`, tokens.tagger!);
    expect(picture.status).toBe(200);
    const meta = await sharp(picture.body as Buffer).metadata();
    expect([meta.width, meta.height, meta.exif]).toEqual([60, 60, undefined]);
  });

  it('when a tagger asks for a whole image, its thumbnail, its record or a search, then every one is refused with 403', async () => {
    for (const path of [`/api/images/${sha256}/file`, `/api/images/${sha256}/thumbnail`, `/api/images/${sha256}`, `/api/images/${sha256}/tags`, '/api/search?object=cup', '/api/review']) {
      expect((await call(path, tokens.tagger!)).status, path).toBe(403);
    }
    expect((await call('/api/public/crops/TAO-0000000000/image', tokens.tagger!)).status).toBe(404);
  });

  it('when taggers answer and vote, then the reviewer sees the answers normalised and counted; a second vote is refused', async () => {
    const a = await call(`/api/public/crops/${cropId}/tags`, tokens.tagger!, { method: 'POST', body: { what: 'Enamel mug', where: 'Poland', brand: 'Emalia' } });
    expect(a.status).toBe(201);
    expect((await call(`/api/public/crops/${cropId}/tags`, tokens.tagger2!, { method: 'POST', body: { what: 'enamel  MUG!', where: 'poland' } })).status).toBe(201);
    expect((await call(`/api/public/crops/${cropId}/tags`, tokens.tagger2!, { method: 'POST', body: { what: 'tea cup' } })).status).toBe(201);
    expect((await call(`/api/public/crops/${cropId}/tags/${a.body.id}/votes`, tokens.tagger2!, { method: 'POST' })).status).toBe(201);
    expect((await call(`/api/public/crops/${cropId}/tags/${a.body.id}/votes`, tokens.tagger2!, { method: 'POST' })).status).toBe(409);
    expect((await call(`/api/public/crops/${cropId}/tags/${a.body.id}/votes`, tokens.tagger!, { method: 'POST' })).body.error).toMatch(/cannot be voted for by the one who gave it/);
    expect((await call(`/api/public/crops/${cropId}/tags`, tokens.tagger!, { method: 'POST', body: { what: { $gt: '' } } })).status).toBe(400);

    const review = await call('/api/review', tokens.reviewer!);
    const item = review.body.find((i: { id: string }) => i.id === cropId);
    expect(item.answers[0]).toMatchObject({ key: 'enamel mug', count: 3, submissions: 2, votes: 1, where: [{ value: 'Poland', count: 2 }], brand: [{ value: 'Emalia', count: 1 }], accepted: false });
    expect(item.answers[1]).toMatchObject({ key: 'tea cup', count: 1 });
  });

  it('when the reviewer accepts an answer, then it becomes a tag and a location clue with provenance, and search finds the image', async () => {
    const before = await call('/api/search?text=emalia', tokens.analyst!);
    expect(before.body.total).toBe(0);
    const accepted = await call(`/api/review/${cropId}/accept`, tokens.reviewer!, { method: 'POST', body: { key: 'enamel mug' } });
    expect(accepted.status).toBe(201);
    expect(accepted.body.clueIds).toHaveLength(3);

    const byText = await call('/api/search?text=enamel%20mug', tokens.analyst!);
    expect(byText.body.hits.map((h: { sha256: string }) => h.sha256)).toEqual([sha256]);
    expect(byText.body.hits[0].matches[0]).toMatchObject({ type: 'tag', value: 'Enamel mug' });
    expect((await call('/api/search?text=emalia', tokens.analyst!)).body.total).toBe(1);
    expect((await call('/api/search?location=poland', tokens.analyst!)).body.total).toBe(1);
    expect((await call('/api/search?text=enamal&mode=fuzzy', tokens.analyst!)).body.total).toBe(1);

    const history = await call(`/api/images/${sha256}/tags`, tokens.analyst!);
    const tag = history.body.tags.find((t: { value: string }) => t.value === 'Enamel mug');
    expect(tag.detail).toMatchObject({ source: 'crowd', cropId, count: 3, reviewer: 'crops-reviewer', brand: 'Emalia', where: 'Poland' });
    expect(history.body.crops[0].submissions).toHaveLength(3);
    expect(JSON.stringify(history.body.crops[0].submissions)).not.toContain('crops-tagger');
    // Accepting twice does not duplicate clues: the ids come from the content.
    await call(`/api/review/${cropId}/accept`, tokens.reviewer!, { method: 'POST', body: { key: 'enamel mug' } });
    expect((await store.images.cluesOf(sha256)).filter((c) => c.stage === 'tags')).toHaveLength(3);
  });

  it('when an analyst tags an image, then the tag is searchable and in its history', async () => {
    expect((await call(`/api/images/${sha256}/tags`, tokens.analyst!, { method: 'POST', body: { value: 'Hotel Zamek bedspread' } })).status).toBe(201);
    expect((await call('/api/search?text=zamek', tokens.analyst!)).body.total).toBe(1);
    const history = await call(`/api/images/${sha256}/tags`, tokens.analyst!);
    expect(history.body.tags.find((t: { value: string }) => t.value === 'Hotel Zamek bedspread').detail).toMatchObject({ source: 'analyst', by: 'crops-analyst' });
  });

  it('when a crop is withdrawn, then the public no longer sees it or its picture', async () => {
    expect((await call(`/api/crops/${cropId}/withdraw`, tokens.reviewer!, { method: 'POST' })).status).toBe(400); // no reason
    expect((await call(`/api/crops/${cropId}/withdraw`, tokens.reviewer!, { method: 'POST', body: { reason: 'shows a shop window' } })).status).toBe(200);
    expect((await call('/api/public/crops', tokens.tagger!)).body.map((c: { id: string }) => c.id)).not.toContain(cropId);
    expect((await call(`/api/public/crops/${cropId}/image`, tokens.tagger!)).status).toBe(404);
    expect((await call('/api/crops', tokens.reviewer!, { method: 'POST', body: { clueId: clueIds.cup } })).status).toBe(200);
  });
});

describe('analyst pictures and settings', () => {
  it('when an analyst asks for a thumbnail and the full image, then both are JPEGs and both views are audited', async () => {
    const thumb = await call(`/api/images/${sha256}/thumbnail`, tokens.analyst!);
    expect(thumb.type).toBe('image/jpeg');
    expect(Math.max((await sharp(thumb.body as Buffer).metadata()).width!, (await sharp(thumb.body as Buffer).metadata()).height!)).toBeLessThanOrEqual(320);
    expect((await store.audit.recent(1))[0]).toMatchObject({ action: 'view-thumbnail', target: sha256 });
    const full = await call(`/api/images/${sha256}/file`, tokens.analyst!);
    expect(full.type).toBe('image/jpeg');
    expect((await store.audit.recent(1))[0]).toMatchObject({ action: 'view-image-file', target: sha256 });
  });

  it('when a user turns unblurring on, then the setting is theirs alone and survives', async () => {
    expect((await call('/api/me', tokens.analyst!)).body).toMatchObject({ name: 'crops-analyst', role: 'analyst', settings: { unblurThumbnails: false } });
    expect((await call('/api/me/settings', tokens.analyst!, { method: 'PUT', body: { unblurThumbnails: true } })).status).toBe(200);
    expect((await call('/api/me', tokens.analyst!)).body.settings).toEqual({ unblurThumbnails: true });
    expect((await call('/api/me', tokens.reviewer!)).body.settings).toEqual({ unblurThumbnails: false });
    expect((await call('/api/me/settings', tokens.analyst!, { method: 'PUT', body: { unblurThumbnails: 'yes' } })).status).toBe(400);
  });
});

/** Rate-limit windows are whole minutes: a test that counts starts well inside one. */
async function awayFromWindowEdge(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 50));
}

describe('rate limits on the public view', () => {
  // Counters live in the database, shared by every app on it: each test counts in a fresh one.
  async function limitedApp(tagRate: { perToken: number; perAddress: number }) {
    const { store: fresh } = await openTestStore('crops-rate');
    const t = { tagger: await fresh.tokens.create('rate-tagger', 'tagger'), tagger2: await fresh.tokens.create('rate-tagger-2', 'tagger'), admin: await fresh.tokens.create('rate-admin', 'admin') };
    const crop = (await fresh.crops.publish({ clueId: clueIds.cup!, sha256, label: 'cup', cropBox: { x: 0, y: 0, w: 1, h: 1 }, file: '', publishedBy: 'r' })).doc._id;
    await awayFromWindowEdge();
    const limited = createApp(fresh, { tagRate }).listen(0, '127.0.0.1');
    await new Promise((r) => limited.once('listening', r));
    const url = `http://127.0.0.1:${(limited.address() as AddressInfo).port}`;
    const post = (token: string) => fetch(`${url}/api/public/crops/${crop}/tags`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ what: 'mug' }) });
    return { t, post, close: async () => { limited.close(); await fresh.close(); } };
  }

  it('when one token sends more answers than its limit, then it gets 429 with Retry-After; another token still gets through', async () => {
    const { t, post, close } = await limitedApp({ perToken: 2, perAddress: 100 });
    expect((await post(t.tagger)).status).toBe(201);
    expect((await post(t.tagger)).status).toBe(201);
    const third = await post(t.tagger);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post(t.tagger2)).status).toBe(201);
    await close();
  });

  it('when one address sends more than its limit, then it gets 429 whatever the token', async () => {
    const { t, post, close } = await limitedApp({ perToken: 100, perAddress: 2 });
    expect((await post(t.tagger)).status).toBe(201);
    expect((await post(t.tagger2)).status).toBe(201);
    expect((await post(t.admin)).status).toBe(429);
    await close();
  });
});

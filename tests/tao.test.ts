import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { openApiDocument } from '../api/openapi';
import type { Box, ClueInput } from '../core/clues';
import { ConfigError, loadConfig } from '../core/config';
import { openStore, type Store } from '../store';
import { submitTip } from '../usecases/submit-tip';
import { runCli } from './support/cli';
import { SAMPLES, tempDir } from './support/fixtures';
import { imageInput, openTestStore } from './support/store';

// Trace an Object end to end through the API, on the real database: the life of an object and who
// may change it, tips merged and triaged, contact details that never leave the reviewer role,
// blocked taggers, plain-text limits, rate limits shared by two API processes, and the export.

const cfg = loadConfig();
const CASE = `case-tao-${Date.now().toString(36)}`;
const CONTACT = 'anna.kowalska@example.org +48 600 100 200';
const LATE_CONTACT = 'late-caller@example.net';
let store: Store;
let dbName: string;
let server: Server;
let base: string;
const tokens: Record<string, string> = {};
const sha256 = randomBytes(32).toString('hex');
let cropId = '';
let otherCropId = '';

async function objectWithCrop(label: string, box: Box, cropBox: Box): Promise<ClueInput> {
  const name = `${sha256.slice(0, 12)}-${label}.jpg`;
  mkdirSync(join(cfg.dataDir, 'crops', 'test'), { recursive: true });
  await sharp(join(SAMPLES, 'chelsea.png')).extract({ left: cropBox.x, top: cropBox.y, width: cropBox.w, height: cropBox.h }).jpeg().toFile(join(cfg.dataDir, 'crops', 'test', name));
  return { type: 'object', value: label, tokens: [label], box, score: 0.8, detail: { crop: `crops/test/${name}`, cropBox } };
}

async function call(path: string, token: string | null, init: { method?: string; body?: unknown; at?: string } = {}) {
  const res = await fetch((init.at ?? base) + path, {
    method: init.method ?? 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const type = res.headers.get('content-type') ?? '';
  const raw = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, text: raw.toString('utf8'), body: type.includes('json') ? (JSON.parse(raw.toString('utf8')) as any) : raw };
}

const tip = (token: string, body: Record<string, unknown>, id = cropId) => call(`/api/public/crops/${id}/tags`, token, { method: 'POST', body });
const setState = (token: string, body: Record<string, unknown>, id = cropId) => call(`/api/crops/${id}/state`, token, { method: 'POST', body });
const queue = async (token = tokens.reviewer!) => (await call('/api/review/tips', token)).body as any[];
const entryOf = async (answer: RegExp, where?: string) => (await queue()).find((e) => answer.test(e.answer) && (where === undefined || e.where === where));

async function listen(s: Store, tagRate = { perToken: 1000, perAddress: 1000 }): Promise<{ server: Server; url: string }> {
  const srv = createApp(s, { tagRate }).listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  return { server: srv, url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  ({ store, dbName } = await openTestStore('tao'));
  const meta = await sharp(join(SAMPLES, 'chelsea.png')).metadata();
  const input = imageInput(sha256, {
    objects: [await objectWithCrop('cup', { x: 20, y: 20, w: 40, h: 40 }, { x: 10, y: 10, w: 60, h: 60 }), await objectWithCrop('clock', { x: 120, y: 20, w: 40, h: 40 }, { x: 110, y: 10, w: 60, h: 60 })],
    faces: [],
  });
  input.path = join(SAMPLES, 'chelsea.png');
  input.caseId = CASE;
  input.info = { width: meta.width!, height: meta.height!, format: 'png', bytes: 1 };
  await store.images.save(input);
  for (const role of ['analyst', 'reviewer', 'tagger', 'admin'] as const) tokens[role] = await store.tokens.create(`tao-${role}`, role);
  tokens.tagger2 = await store.tokens.create('tao-tagger-2', 'tagger');
  tokens.flooder = await store.tokens.create('tao-flooder', 'tagger');
  ({ server, url: base } = await listen(store));
  const clues = await store.images.cluesOf(sha256);
  cropId = (await call('/api/crops', tokens.reviewer!, { method: 'POST', body: { clueId: clues.find((c) => c.value === 'cup')!._id } })).body.id;
  otherCropId = (await call('/api/crops', tokens.reviewer!, { method: 'POST', body: { clueId: clues.find((c) => c.value === 'clock')!._id } })).body.id;
  expect([cropId, otherCropId]).toEqual([expect.stringMatching(/^TAO-/), expect.stringMatching(/^TAO-/)]);
});
afterAll(async () => {
  server?.close();
  await store?.close();
});

describe('tips: merged, grouped per tagger, plain text', () => {
  it('when taggers send near-identical tips, then they are one entry with the merged count, grouped per tagger; another place stays apart', async () => {
    expect((await tip(tokens.tagger!, { what: 'Enamel mug', where: 'Poland', note: 'My grandmother had one\nin Kraków', contact: CONTACT })).status).toBe(201);
    expect((await tip(tokens.tagger!, { what: 'enamel  MUG!', where: 'poland' })).status).toBe(201);
    expect((await tip(tokens.tagger2!, { what: 'Énamel mug', where: 'POLAND.' })).status).toBe(201);
    expect((await tip(tokens.tagger2!, { what: 'Enamel mug', where: 'Czechia' })).status).toBe(201);

    const merged = await entryOf(/enamel mug/i, 'Poland');
    expect(merged).toMatchObject({ cropId, label: 'cup', state: 'open', merged: 3, new: true });
    expect(merged.taggers.map((t: any) => [t.tagger, t.tips.length, t.onObject])).toEqual([['tao-tagger', 2, 2], ['tao-tagger-2', 1, 2]]);
    expect(merged.taggers[0].tips[0]).toMatchObject({ note: 'My grandmother had one\nin Kraków', hasContact: true, contact: CONTACT });
    expect(await entryOf(/enamel mug/i, 'Czechia')).toMatchObject({ merged: 1 });
    // On the object, each tagger's tips are grouped too: who sent how many, in which entries.
    const obj = (await call('/api/review', tokens.reviewer!)).body.find((o: any) => o.id === cropId);
    expect(obj.taggers).toEqual([
      { tagger: 'tao-tagger', blocked: false, tips: 2, entries: [merged.id] },
      { tagger: 'tao-tagger-2', blocked: false, tips: 2, entries: expect.arrayContaining([merged.id]) },
    ]);

    const pub = (await call('/api/public/crops', tokens.tagger!)).body.find((c: any) => c.id === cropId);
    expect(pub.state).toBe('open');
    expect(pub.answers.find((a: any) => a.where === 'Poland')).toMatchObject({ what: 'Enamel mug', count: 3 });
    expect(pub.answers).toHaveLength(2);
  });

  it('when a text field is too long, holds control characters or no words, or is not a string, then the tip is refused with 400', async () => {
    for (const body of [
      { what: 'x'.repeat(201) },
      { what: 'mug', note: 'n'.repeat(1001) },
      { what: 'mug', contact: 'c'.repeat(201) },
      { what: 'mug\u0000' },
      { what: 'mug', where: 'Po\u202Eland' },
      { what: '?!' },
      { what: 'mug', contact: { $ne: '' } },
      { what: 'mug', extra: 1 },
    ]) expect((await tip(tokens.tagger2!, body)).status, JSON.stringify(body)).toBe(400);
  });

  it('when a tip holds markup, then it is stored and answered as the very text sent', async () => {
    const what = '<img src=x onerror=alert(1)> mug';
    expect((await tip(tokens.tagger2!, { what, note: '<script>alert(2)</script>' }, otherCropId)).status).toBe(201);
    const e = (await queue()).find((x) => x.cropId === otherCropId);
    expect([e.answer, e.taggers[0].tips[0].note]).toEqual([what, '<script>alert(2)</script>']);
  });
});

describe('triage', () => {
  it('when a reviewer marks a tip useful, then the whole entry is, and it becomes tag and location clues with provenance that search finds', async () => {
    const entry = await entryOf(/enamel mug/i, 'Poland');
    const before = (await call('/api/search?text=enamel', tokens.analyst!)).body.total;
    expect(before).toBe(0);
    const out = await call(`/api/review/${cropId}/tips/${entry.taggers[1].tips[0].id}`, tokens.reviewer!, { method: 'POST', body: { verdict: 'useful', reason: 'matches the rim' } });
    expect(out.status).toBe(200);
    expect(out.body.entry).toMatchObject({ id: entry.id, merged: 3, new: false, triage: { verdict: 'useful', by: 'tao-reviewer', reason: 'matches the rim' } });
    expect(out.body.clueIds).toHaveLength(2);
    const clues = (await store.images.cluesOf(sha256)).filter((c) => c.stage === 'tags');
    expect(clues.find((c) => c.type === 'tag')).toMatchObject({ value: 'Enamel mug', detail: { source: 'crowd', kind: 'tip', cropId, entry: entry.id, count: 3, taggers: 2, reviewer: 'tao-reviewer', where: 'Poland' } });
    expect(clues.find((c) => c.type === 'location')).toMatchObject({ value: 'Poland', detail: { source: 'crowd', kind: 'tip' } });
    expect((await call('/api/search?text=enamel%20mug', tokens.analyst!)).body.hits.map((h: any) => h.sha256)).toEqual([sha256]);
    expect((await call('/api/search?location=poland', tokens.analyst!)).body.total).toBe(1);
    expect((await store.audit.recent(5)).find((a) => a.action === 'triage-tip')).toMatchObject({ actor: 'tao-reviewer (reviewer)', target: cropId, detail: { verdict: 'useful', merged: 3 } });
  });

  it('when entries are triaged, then new ones come first, then those needing follow-up; not useful and duplicates leave the public list', async () => {
    const czech = await entryOf(/enamel mug/i, 'Czechia');
    expect((await call(`/api/review/${cropId}/tips/${czech.id}`, tokens.reviewer!, { method: 'POST', body: { verdict: 'follow-up' } })).status).toBe(200);
    expect((await tip(tokens.tagger2!, { what: 'Tea cup' })).status).toBe(201);
    expect((await tip(tokens.tagger!, { what: 'Flower pot' })).status).toBe(201);
    let q = (await queue()).filter((e) => e.cropId === cropId);
    expect(q.map((e) => [e.answer, e.new, e.triage?.verdict])).toEqual([
      ['Flower pot', true, undefined],
      ['Tea cup', true, undefined],
      ['Enamel mug', false, 'follow-up'],
      ['Enamel mug', false, 'useful'],
    ]);
    const pot = q[0];
    expect((await call(`/api/review/${cropId}/tips/${pot.id}`, tokens.reviewer!, { method: 'POST', body: { verdict: 'not-useful' } })).status).toBe(200);
    expect((await call(`/api/review/${cropId}/tips/${q[1].id}`, tokens.reviewer!, { method: 'POST', body: { verdict: 'duplicate', of: czech.id } })).status).toBe(200);
    const pub = (await call('/api/public/crops', tokens.tagger!)).body.find((c: any) => c.id === cropId);
    expect(pub.answers.map((a: any) => a.what)).toEqual(['Enamel mug', 'Enamel mug']);

    // A new tip merged into a triaged entry makes the entry new again.
    expect((await tip(tokens.tagger2!, { what: 'enamel mug', where: 'Czechia' })).status).toBe(201);
    q = (await queue()).filter((e) => e.cropId === cropId);
    expect(q[0]).toMatchObject({ answer: 'Enamel mug', where: 'Czechia', merged: 2, new: true, triage: { verdict: 'follow-up' } });
    expect((await call(`/api/review/${cropId}/tips/${'0'.repeat(16)}`, tokens.reviewer!, { method: 'POST', body: { verdict: 'useful' } })).status).toBe(404);
    expect((await call(`/api/review/${cropId}/tips/${pot.id}`, tokens.reviewer!, { method: 'POST', body: { verdict: 'great' } })).status).toBe(400);
  });

  it('when an analyst, a tagger or nobody triages, then it is refused', async () => {
    const e = (await queue())[0];
    expect((await call(`/api/review/${e.cropId}/tips/${e.id}`, tokens.analyst!, { method: 'POST', body: { verdict: 'useful' } })).status).toBe(403);
    expect((await call(`/api/review/${e.cropId}/tips/${e.id}`, tokens.tagger!, { method: 'POST', body: { verdict: 'useful' } })).status).toBe(403);
    expect((await call(`/api/review/${e.cropId}/tips/${e.id}`, null, { method: 'POST', body: { verdict: 'useful' } })).status).toBe(401);
    expect((await call('/api/review/tips', tokens.analyst!)).status).toBe(403);
  });
});

describe('contact details never leave the reviewer role', () => {
  /** Every documented GET, with real ids in its path, as `token` sees it. */
  async function everyRead(token: string): Promise<{ path: string; status: number; text: string }[]> {
    const out: { path: string; status: number; text: string }[] = [];
    for (const [route, ops] of Object.entries(openApiDocument.paths)) {
      if (!('get' in ops) || !route.startsWith('/api/') || route.startsWith('/api/runs')) continue;
      for (const id of route.includes('{id}') ? [cropId, otherCropId] : ['']) {
        const path = route.replace('{sha256}', sha256).replace('{id}', id);
        const res = await call(path, token);
        out.push({ path, status: res.status, text: res.text });
        if (path === '/api/review') out.push({ path: '/api/review?closed=true', ...(await call('/api/review?closed=true', token)) });
      }
    }
    return out;
  }

  it('when any role reads any route, then only the reviewer role sees contact details, and only on the review routes', async () => {
    for (const role of ['analyst', 'tagger', 'admin', 'reviewer'] as const) {
      const reads = await everyRead(tokens[role]!);
      expect(reads.filter((r) => r.status === 200).length, role).toBeGreaterThan(3);
      const leaking = reads.filter((r) => r.text.includes(CONTACT) || r.text.includes('kowalska')).map((r) => r.path);
      expect(leaking, role).toEqual(role === 'reviewer' ? ['/api/review', '/api/review?closed=true', '/api/review/tips'] : []);
    }
    // The tip's history on the image (analysts) says that there was a note, not who or how to reach them.
    const history = await call(`/api/images/${sha256}/tags`, tokens.analyst!);
    expect(history.text).toContain('My grandmother had one');
    expect(history.text).not.toContain('tao-tagger');
    // Nor do the audit records (read by admins), nor the answers of changes.
    expect(JSON.stringify(await store.audit.recent(1000))).not.toContain('kowalska');
  });

  it('when the retention period has passed, then even reviewers no longer see the contact details; the setting comes from CLUES_TAO_CONTACT_RETENTION_DAYS', async () => {
    const late = await submitTip(store, { cropId: otherCropId, what: 'Wall clock', contact: LATE_CONTACT, by: 'tao-tagger' }, 1e-9);
    expect(late).not.toBeNull();
    const e = (await queue()).find((x) => x.answer === 'Wall clock');
    expect(e.taggers[0].tips[0]).toEqual({ id: late!.id, at: expect.any(String), hasContact: true });
    expect(loadConfig({ CLUES_TAO_CONTACT_RETENTION_DAYS: '30' }).tao.contactRetentionDays).toBe(30);
    expect(loadConfig({}).tao.contactRetentionDays).toBe(90);
    expect(() => loadConfig({ CLUES_TAO_CONTACT_RETENTION_DAYS: '-1' })).toThrow(ConfigError);
  });
});

describe('the life of an object', () => {
  it('when an analyst, a tagger or nobody changes a state, then it is refused; a reviewer must give a reason', async () => {
    expect((await setState(tokens.analyst!, { state: 'under-review', reason: 'checking tips' })).status).toBe(403);
    expect((await setState(tokens.tagger!, { state: 'under-review', reason: 'checking tips' })).status).toBe(403);
    expect((await setState('', { state: 'under-review', reason: 'checking tips' })).status).toBe(401);
    expect((await setState(tokens.reviewer!, { state: 'under-review' })).status).toBe(400);
    expect((await setState(tokens.reviewer!, { state: 'under-review', reason: ' ' })).status).toBe(400);
    expect((await setState(tokens.reviewer!, { state: 'solved', reason: 'because' })).status).toBe(400);
    expect((await call(`/api/crops/TAO-0000000000/state`, tokens.reviewer!, { method: 'POST', body: { state: 'under-review', reason: 'checking tips' } })).status).toBe(404);
  });

  it('when a state is skipped, then it is refused with 409 and the states it may go to', async () => {
    const skip = await setState(tokens.reviewer!, { state: 'located', reason: 'the tip fits', country: 'PL' });
    expect(skip.status).toBe(409);
    expect(skip.body.error).toBe('an object that is open cannot become located; it can become under-review, withdrawn');
    expect((await store.audit.recent(1))[0]).toMatchObject({ action: 'crop-state-refused', target: cropId });
  });

  it('when a reviewer moves an object open → under review → located in a country, then each change is recorded and audited with its reason, and the outcome is a clue', async () => {
    const review = await setState(tokens.reviewer!, { state: 'under-review', reason: 'checking the Polish tips' });
    expect(review).toMatchObject({ status: 200, body: { id: cropId, state: 'under-review', clueIds: [] } });
    expect((await setState(tokens.reviewer!, { state: 'located', reason: 'confirmed by the rim pattern' })).status).toBe(400);
    expect((await setState(tokens.reviewer!, { state: 'located', reason: 'confirmed by the rim pattern', country: 'Atlantis' })).status).toBe(400);
    // Still under review, and still open to tips, until it is located.
    expect((await call('/api/public/crops', tokens.tagger!)).body.find((c: any) => c.id === cropId)?.state).toBe('under-review');
    const located = await setState(tokens.admin!, { state: 'located', reason: 'confirmed by the rim pattern', country: 'pl' });
    expect(located).toMatchObject({ status: 200, body: { state: 'located', country: 'Poland', countryCode: 'PL' } });
    expect(located.body.clueIds).toHaveLength(2);

    const obj = (await call('/api/review?closed=true', tokens.reviewer!)).body.find((o: any) => o.id === cropId);
    expect(obj).toMatchObject({ state: 'located', country: 'Poland', next: ['under-review', 'withdrawn'] });
    expect(obj.history.map((h: any) => [h.from, h.to, h.reason, h.by])).toEqual([
      ['open', 'under-review', 'checking the Polish tips', 'tao-reviewer'],
      ['under-review', 'located', 'confirmed by the rim pattern', 'tao-admin'],
    ]);
    expect((await call('/api/review', tokens.reviewer!)).body.map((o: any) => o.id)).not.toContain(cropId);
    const audits = (await store.audit.recent(20)).filter((a) => a.action === 'crop-state' && a.target === cropId);
    expect(audits.map((a) => [a.actor, a.detail?.from, a.detail?.to, a.detail?.reason])).toEqual([
      ['tao-admin (admin)', 'under-review', 'located', 'confirmed by the rim pattern'],
      ['tao-reviewer (reviewer)', 'open', 'under-review', 'checking the Polish tips'],
    ]);

    const clues = (await store.images.cluesOf(sha256)).filter((c) => c.detail?.source === 'tao-outcome');
    expect(clues.map((c) => [c.type, c.value])).toEqual(expect.arrayContaining([['tag', `${cropId} located in Poland`], ['location', 'Poland']]));
    expect((await call(`/api/search?text=${cropId.toLowerCase()}`, tokens.analyst!)).body.total).toBe(1);
  });

  it('when an object is located, then the public no longer sees it, cannot tip on it, and counts it as solved with its help without saying which', async () => {
    const list = (await call('/api/public/crops', tokens.tagger!)).body;
    expect(list.map((c: any) => c.id)).toEqual([otherCropId]);
    expect((await call(`/api/public/crops/${cropId}/image`, tokens.tagger!)).status).toBe(404);
    expect((await tip(tokens.tagger!, { what: 'mug' })).status).toBe(404);
    const summary = await call('/api/public/summary', tokens.tagger!);
    expect(summary.body).toEqual({ needHelp: 1, solvedWithPublicHelp: 1 });
    expect(summary.text).not.toContain('TAO-');
    // Reviewers still see its picture.
    expect((await call(`/api/public/crops/${cropId}/image`, tokens.reviewer!)).status).toBe(200);
  });

  it('when an object closes, then its contact details are gone, even for reviewers', async () => {
    const obj = (await call('/api/review?closed=true', tokens.reviewer!)).body.find((o: any) => o.id === cropId);
    const withContact = obj.tips.flatMap((e: any) => e.taggers.flatMap((t: any) => t.tips)).filter((t: any) => t.hasContact);
    expect(withContact).toHaveLength(1);
    expect(withContact[0].contact).toBeUndefined();
    expect(JSON.stringify((await call('/api/review?closed=true', tokens.reviewer!)).body)).not.toContain('kowalska');
    expect((await store.audit.recent(30)).find((a) => a.action === 'crop-state' && a.detail?.to === 'located')?.detail?.contactsRemoved).toBe(1);
  });

  it('when objects go worldwide or unresolved, or are withdrawn, then those outcomes are recorded too; withdrawn objects leave the public view', async () => {
    expect((await setState(tokens.reviewer!, { state: 'under-review', reason: 'no tip fits yet' }, otherCropId)).status).toBe(200);
    const ww = await setState(tokens.reviewer!, { state: 'worldwide', reason: 'sent to partner forces' }, otherCropId);
    expect(ww.status).toBe(200);
    expect((await store.images.cluesOf(sha256)).some((c) => c.value === `${otherCropId} published worldwide`)).toBe(true);
    expect((await call('/api/public/crops', tokens.tagger!)).body.map((c: any) => c.id)).toEqual([otherCropId]);
    expect((await call(`/api/crops/${otherCropId}/withdraw`, tokens.reviewer!, { method: 'POST', body: { reason: 'a face was seen in the reflection' } })).status).toBe(200);
    expect((await store.audit.recent(1))[0]).toMatchObject({ action: 'withdraw-crop', target: otherCropId, detail: { from: 'worldwide', reason: 'a face was seen in the reflection' } });
    expect((await call('/api/public/crops', tokens.tagger!)).body).toEqual([]);
    // Published again, it is open again.
    const clock = (await store.images.cluesOf(sha256)).find((c) => c.value === 'clock')!;
    expect((await call('/api/crops', tokens.reviewer!, { method: 'POST', body: { clueId: clock._id } })).body.id).toBe(otherCropId);
    expect((await call('/api/public/crops', tokens.tagger!)).body.map((c: any) => [c.id, c.state])).toEqual([[otherCropId, 'open']]);
  });
});

describe('blocking a tagger who floods', () => {
  it('when a reviewer blocks a tagger, then the tagger is refused everywhere in the public view until unblocked; both are audited', async () => {
    expect((await tip(tokens.flooder!, { what: 'spam spam' }, otherCropId)).status).toBe(201);
    expect((await call('/api/taggers/block', tokens.analyst!, { method: 'POST', body: { tagger: 'tao-flooder', reason: 'sent 300 tips' } })).status).toBe(403);
    expect((await call('/api/taggers/block', tokens.reviewer!, { method: 'POST', body: { tagger: 'tao-flooder' } })).status).toBe(400);
    expect((await call('/api/taggers/block', tokens.reviewer!, { method: 'POST', body: { tagger: 'tao-analyst', reason: 'sent 300 tips' } })).status).toBe(422);
    expect((await call('/api/taggers/block', tokens.reviewer!, { method: 'POST', body: { tagger: 'nobody-at-all', reason: 'sent 300 tips' } })).status).toBe(404);
    expect((await call('/api/taggers/block', tokens.reviewer!, { method: 'POST', body: { tagger: 'tao-flooder', reason: 'sent 300 tips' } })).status).toBe(201);
    expect((await store.audit.recent(1))[0]).toMatchObject({ actor: 'tao-reviewer (reviewer)', action: 'block-tagger', target: 'tao-flooder', detail: { reason: 'sent 300 tips' } });

    for (const res of [await call('/api/public/crops', tokens.flooder!), await call('/api/public/summary', tokens.flooder!), await tip(tokens.flooder!, { what: 'more spam' }, otherCropId)]) {
      expect(res).toMatchObject({ status: 403, body: { error: 'this token is blocked from the public view' } });
    }
    expect((await store.audit.recent(1))[0]).toMatchObject({ actor: 'tao-flooder (tagger)', action: 'denied', detail: { reason: 'blocked tagger' } });
    expect((await call('/api/public/crops', tokens.tagger!)).status).toBe(200);
    expect((await queue()).find((e) => e.answer === 'spam spam').taggers[0]).toMatchObject({ tagger: 'tao-flooder', blocked: true });
    expect((await call('/api/taggers/blocked', tokens.reviewer!)).body).toEqual([{ tagger: 'tao-flooder', by: 'tao-reviewer', reason: 'sent 300 tips', at: expect.any(String) }]);

    expect((await call('/api/taggers/unblock', tokens.reviewer!, { method: 'POST', body: { tagger: 'tao-flooder', reason: 'promised to stop' } })).status).toBe(200);
    expect((await store.audit.recent(1))[0]).toMatchObject({ action: 'unblock-tagger', target: 'tao-flooder' });
    expect((await call('/api/public/crops', tokens.flooder!)).status).toBe(200);
  });
});

/** Rate-limit windows are whole minutes: a test that counts starts well inside one. */
async function awayFromWindowEdge(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 50));
}

describe('rate limits shared by every API process', () => {
  it('when one token spreads its tips over two API processes on the same database, then they count together', async () => {
    // Two processes' worth: each its own connection to one fresh database, and its own app.
    const { store: first, dbName: shared } = await openTestStore('tao-rate');
    const second = await openStore(cfg.mongo.uri, shared);
    const token = await first.tokens.create('rate-tagger', 'tagger');
    const other = await first.tokens.create('rate-tagger-2', 'tagger');
    const crop = (await first.crops.publish({ clueId: 'c', sha256: sha256, label: 'cup', cropBox: { x: 0, y: 0, w: 1, h: 1 }, file: '', publishedBy: 'r' })).doc._id;
    const a = await listen(first, { perToken: 3, perAddress: 100 });
    const b = await listen(second, { perToken: 3, perAddress: 100 });
    await awayFromWindowEdge();
    const post = (at: string, t = token) => call(`/api/public/crops/${crop}/tags`, t, { method: 'POST', body: { what: 'mug' }, at });
    try {
      expect((await post(a.url)).status).toBe(201);
      expect((await post(b.url)).status).toBe(201);
      expect((await post(a.url)).status).toBe(201);
      const fourth = await post(b.url);
      expect(fourth.status).toBe(429);
      expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await post(a.url)).status).toBe(429);
      expect((await post(b.url, other)).status).toBe(201);
    } finally {
      a.server.close();
      b.server.close();
      await first.close();
      await second.close();
    }
  });

  it('when concurrent requests race for the first count of a window, then none is lost', async () => {
    await awayFromWindowEdge();
    const key = `race-${Date.now()}`;
    const counts = await Promise.all(Array.from({ length: 25 }, () => store.rateLimits.hit(key, 60_000)));
    expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });
});

describe('clues export tao', () => {
  it('when a case is exported, then the objects, their tips with notes and verdicts and the outcomes are written, without contact details or tagger names', async () => {
    const out = join(tempDir('tao-export'), 'tao.json');
    const run = await runCli(['export', 'tao', '--case', CASE, '--out', out], { CLUES_DB_NAME: dbName });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/wrote 2 objects and \d+ tips/);
    const text = readFileSync(out, 'utf8');
    const data = JSON.parse(text);
    expect(data).toMatchObject({ format: 'clues-tao-export', version: 1, case: CASE });
    const cup = data.objects.find((o: any) => o.id === cropId);
    expect(cup).toMatchObject({ label: 'cup', sha256, state: 'located', outcome: { state: 'located', country: 'Poland', countryCode: 'PL', reason: 'confirmed by the rim pattern', by: 'tao-admin' } });
    expect(cup.tips.find((t: any) => t.note)).toMatchObject({ answer: 'Enamel mug', where: 'Poland', note: 'My grandmother had one\nin Kraków', verdict: 'useful', tagger: 'T1' });
    expect(new Set(cup.tips.filter((t: any) => t.where === 'Poland').map((t: any) => t.entry)).size).toBe(1);
    expect(data.objects.find((o: any) => o.id === otherCropId)).toMatchObject({ state: 'open', outcome: null });
    for (const secret of ['kowalska', '600 100 200', LATE_CONTACT, 'tao-tagger', 'tao-flooder', 'contact']) expect(text, secret).not.toContain(secret);
    expect((await store.audit.recent(1))[0]).toMatchObject({ action: 'export-tao', target: CASE, detail: { objects: 2 } });

    const usage = await runCli(['export', 'tao'], { CLUES_DB_NAME: dbName });
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: clues export tao --case ID') });
  });
});

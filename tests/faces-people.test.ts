import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { imageWorkflowId } from '../client/temporal-client';
import { fileSha256 } from '../models/file-hashes';
import { openBlobStore } from '../blobs/open';
import { FACE_MATCH_DISTANCE } from '../usecases/face-grouping';
import { groupImageFaces } from '../usecases/faces';
import { runCli } from './support/cli';
import { tempDir } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

// Faces as people through the real worker, engine, database and API: three photos of one man
// (two cases) and one of another (PyPI face_recognition's test photos, eval/source/faces).

const FACES = join(__dirname, '..', 'eval', 'source', 'faces');
let ctx: TestContext;
const img: Record<string, { path: string; sha256: string }> = {};
const tokens: Record<string, string> = {};

/** The photos at 640 px (the faces stay 100 px and more), so that the test runs in seconds. */
async function smaller(name: string, dir: string) {
  const path = join(dir, name);
  await sharp(join(FACES, name))
    .rotate()
    .resize(640, 640, { fit: 'inside' })
    .jpeg({ quality: 90 })
    .toFile(path);
  return { path, sha256: await fileSha256(path) };
}

beforeAll(async () => {
  ctx = await openTestContext('faces');
  const dir = tempDir('faces-people');
  for (const n of ['obama.jpg', 'obama2.jpg', 'obama3.jpg', 'biden.jpg']) img[n] = await smaller(n, dir);
  for (const role of ['analyst', 'reviewer', 'tagger', 'admin'] as const)
    tokens[role] = await ctx.store.tokens.create(`faces-${role}`, role);
  await ctx.withWorker(async (taskQueue) => {
    for (const [n, caseId] of [
      ['obama.jpg', 'case-a'],
      ['biden.jpg', 'case-a'],
      ['obama2.jpg', 'case-a'],
      ['obama3.jpg', 'case-b'],
    ] as const) {
      await ctx.client.workflow.execute('processImage', {
        workflowId: imageWorkflowId(img[n]!.sha256),
        taskQueue,
        args: [{ ...img[n]!, caseId }],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
    }
  });
}, 600_000);
afterAll(async () => ctx?.close());

async function api<T>(
  taskQueue: string | undefined,
  run: (
    call: (
      method: string,
      path: string,
      role: string,
      body?: unknown,
    ) => Promise<{ status: number; body: T }>,
  ) => Promise<void>,
) {
  const server: Server = createApp(
    ctx.store,
    taskQueue ? { temporal: { client: ctx.client, taskQueue } } : {},
  ).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await run(async (method, path, role, body) => {
      const headers: Record<string, string> = { authorization: `Bearer ${tokens[role]!}` };
      let payload: Uint8Array | string | undefined;
      if (Buffer.isBuffer(body)) {
        headers['content-type'] = 'image/jpeg';
        payload = new Uint8Array(body);
      } else if (body !== undefined) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      const res = await fetch(base + path, { method, headers, ...(payload ? { body: payload } : {}) });
      return { status: res.status, body: (await res.json()) as T };
    });
  } finally {
    server.close();
  }
}

const personOf = async (name: string) => (await ctx.store.faces.ofImage(img[name]!.sha256))[0]?.person;

describe('grouping', () => {
  it('when three photos of one man and one of another are processed, then his faces are one person across both cases, and the other man another', async () => {
    for (const n of Object.keys(img)) {
      const image = await ctx.store.images.get(img[n]!.sha256);
      expect(image?.stages?.faces?.status, n).toBe('ok');
      expect(image?.stages?.people?.status, n).toBe('ok');
      const faces = await ctx.store.faces.ofImage(img[n]!.sha256);
      expect(faces, n).toHaveLength(1);
      expect(faces[0]!.descriptor, n).toHaveLength(128);
      expect(faces[0]!.quality.ok).toBe(true);
    }
    const obama = await personOf('obama.jpg');
    expect(obama).toMatch(/^P-[0-9a-f]{10}$/);
    expect(await personOf('obama2.jpg')).toBe(obama);
    expect(await personOf('obama3.jpg')).toBe(obama);
    expect(await personOf('biden.jpg')).not.toBe(obama);
    const person = await ctx.store.faces.person(obama!);
    expect(person).toMatchObject({ faces: 3, cases: ['case-a', 'case-b'], confirmed: false });
    // Each merge is explained: the face it matched, and how far apart they are.
    const joined = (await ctx.store.faces.ofImage(img['obama2.jpg']!.sha256))[0]!.joined!;
    expect(joined.by).toBe('grouping');
    expect(joined.distance).toBeLessThan(FACE_MATCH_DISTANCE);
    expect(joined.via).toMatch(/^[0-9a-f]{64}:1$/);
  });

  it('when the workflow history is read, then it holds no descriptor (they go straight to the store)', async () => {
    const history = await ctx.client.workflow
      .getHandle(imageWorkflowId(img['obama.jpg']!.sha256))
      .fetchHistory();
    const text = JSON.stringify(history);
    const descriptor = (await ctx.store.faces.ofImage(img['obama.jpg']!.sha256))[0]!.descriptor!;
    expect(text).not.toContain(String(descriptor[0]));
    expect(text).not.toContain('descriptor');
  });

  it('when the same person is in two images, then they are linked by a person link weaker than a verified place, and where and when inherits through it', async () => {
    const links = await ctx.store.links.linked(img['obama.jpg']!.sha256, 0, { people: true });
    const other = links.find((l) => l.sha256 === img['obama3.jpg']!.sha256);
    expect(other?.reasons).toEqual([expect.objectContaining({ kind: 'person', weight: 0.55 })]);
    expect(links.some((l) => l.sha256 === img['biden.jpg']!.sha256)).toBe(false);
    // Without asking for people (a reviewer's view), no person link.
    expect(
      (await ctx.store.links.linked(img['obama.jpg']!.sha256)).some((l) =>
        l.reasons.some((r) => r.kind === 'person'),
      ),
    ).toBe(false);
    const series = await ctx.store.links.series(0.5, 'case-a', { people: true });
    expect(
      series
        .find((s) => s.images.some((i) => i.sha256 === img['obama.jpg']!.sha256))
        ?.images.map((i) => i.sha256)
        .sort(),
    ).toEqual([img['obama.jpg']!.sha256, img['obama2.jpg']!.sha256].sort());
  });
});

describe('search by face', () => {
  it('when an analyst searches with a face of a stored image, then every image of that person comes back, best first, with the distance, and the search is audited', async () => {
    await api<{ hits: { sha256: string; distance: number }[] }>(undefined, async (call) => {
      const { status, body } = await call(
        'GET',
        `/api/images/${img['obama.jpg']!.sha256}/faces/1/matches`,
        'analyst',
      );
      expect(status).toBe(200);
      expect(body.hits.map((h) => h.sha256).sort()).toEqual(
        [img['obama2.jpg']!.sha256, img['obama3.jpg']!.sha256].sort(),
      );
      expect(body.hits[0]!.distance).toBeLessThanOrEqual(body.hits[1]!.distance);
      expect(body.hits.every((h) => h.distance < FACE_MATCH_DISTANCE)).toBe(true);
      const inCase = await call(
        'GET',
        `/api/images/${img['obama.jpg']!.sha256}/faces/1/matches?case=case-b`,
        'analyst',
      );
      expect(inCase.body.hits.map((h) => h.sha256)).toEqual([img['obama3.jpg']!.sha256]);
    });
    expect((await ctx.store.audit.recent(1))[0]).toMatchObject({
      actor: 'faces-analyst (analyst)',
      action: 'face-search',
      detail: { caseId: 'case-b', results: 1 },
    });
  });

  it('when an analyst uploads a photo, then the worker finds its face and every image of that man comes back, and the upload is not kept', async () => {
    await ctx.withWorker(async (taskQueue) => {
      await api<{
        faces: { matchable: boolean }[];
        searched: number;
        hits: { sha256: string; distance: number }[];
      }>(taskQueue, async (call) => {
        const photo = await sharp(join(FACES, 'obama2.jpg'))
          .resize(500)
          .flop()
          .jpeg({ quality: 80 })
          .toBuffer(); // a copy unlike any stored one
        const { status, body } = await call('POST', '/api/faces/search', 'analyst', photo);
        expect(status).toBe(200);
        expect(body.searched).toBe(1);
        expect(body.hits.map((h) => h.sha256).sort()).toEqual(
          [img['obama.jpg']!.sha256, img['obama2.jpg']!.sha256, img['obama3.jpg']!.sha256].sort(),
        );
        expect(JSON.stringify(body)).not.toContain('descriptor');
      });
    });
    const kept: string[] = [];
    for await (const b of openBlobStore(ctx.cfg.storage).list('uploads')) kept.push(b.key);
    expect(kept.filter((k) => k.includes('faces-'))).toEqual([]);
    expect(
      (await ctx.store.audit.recent(5)).some(
        (a) => a.action === 'face-search' && String(a.target).startsWith('upload:'),
      ),
    ).toBe(true);
  });

  it('when `clues faces <sha256> --json` is run, then it prints the same images with their distances', async () => {
    const { code, stdout } = await runCli(['faces', img['obama3.jpg']!.sha256, '--json'], {
      CLUES_DB_NAME: ctx.dbName,
    });
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { searched: number; hits: { sha256: string; distance: number }[] };
    expect(out.searched).toBe(1);
    expect(out.hits.map((h) => h.sha256).sort()).toEqual(
      [img['obama.jpg']!.sha256, img['obama2.jpg']!.sha256].sort(),
    );
  });
});

describe('biometric data for analysts and admins only', () => {
  it('when a tagger or a reviewer asks for faces, people or a face search, then each is refused and the refusal audited', async () => {
    const obama = (await personOf('obama.jpg'))!;
    await api(undefined, async (call) => {
      for (const role of ['tagger', 'reviewer']) {
        for (const [method, path] of [
          ['GET', `/api/images/${img['obama.jpg']!.sha256}/faces`],
          ['GET', `/api/images/${img['obama.jpg']!.sha256}/faces/1/matches`],
          ['GET', '/api/people'],
          ['GET', `/api/people/${obama}`],
          ['POST', `/api/people/${obama}/confirm`],
        ] as const) {
          expect((await call(method, path, role)).status, `${role} ${method} ${path}`).toBe(403);
        }
        expect((await ctx.store.audit.recent(1))[0]).toMatchObject({
          actor: `faces-${role}`,
          action: 'denied',
        });
      }
      // A reviewer sees an image's links, but not the person links; an analyst does.
      const reviewer = await call('GET', `/api/images/${img['obama.jpg']!.sha256}/links`, 'reviewer');
      expect(JSON.stringify(reviewer.body)).not.toContain('person');
      const analyst = await call('GET', `/api/images/${img['obama.jpg']!.sha256}/links`, 'analyst');
      expect(JSON.stringify(analyst.body)).toContain('"kind":"person"');
      // No route hands out a descriptor, even to an admin.
      const faces = await call('GET', `/api/images/${img['obama.jpg']!.sha256}/faces`, 'admin');
      expect(faces.status).toBe(200);
      expect(JSON.stringify(faces.body)).not.toContain('descriptor');
    });
  });

  it('when a case is exported as VICS, then no face data is in it', async () => {
    const { code, stdout } = await runCli(['export', 'vics', '--case', 'case-a'], {
      CLUES_DB_NAME: ctx.dbName,
    });
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/descriptor|P-[0-9a-f]{10}/);
  });
});

describe("analysts' decisions on groups", () => {
  it('when an analyst labels, splits, merges and confirms, then each change is made and audited, and a confirmed group survives regrouping', async () => {
    const obama = (await personOf('obama.jpg'))!;
    const face3 = `${img['obama3.jpg']!.sha256}:1`;
    await api<Record<string, unknown>>(undefined, async (call) => {
      expect(
        (await call('PUT', `/api/people/${obama}/label`, 'analyst', { label: 'V-2024-017' })).status,
      ).toBe(200);
      const split = await call('POST', `/api/people/${obama}/split`, 'analyst', { faces: [face3] });
      expect(split.status).toBe(201);
      const other = split.body.person as string;
      expect(await personOf('obama3.jpg')).toBe(other);
      const merged = await call('POST', `/api/people/${obama}/merge`, 'analyst', { from: other });
      expect(merged.status).toBe(200);
      expect(merged.body.moved).toBe(1);
      expect(merged.body.distance as number).toBeLessThan(FACE_MATCH_DISTANCE);
      expect((await call('POST', `/api/people/${obama}/confirm`, 'analyst')).status).toBe(200);
      const view = await call('GET', `/api/people/${obama}`, 'analyst');
      expect(view.body).toMatchObject({ label: 'V-2024-017', confirmed: true, faces: 3 });
    });
    const actions = (await ctx.store.audit.recent(20)).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'person-labelled',
        'person-split',
        'people-merged',
        'person-confirmed',
        'view-person',
      ]),
    );
    // Regrouping (as after a new threshold or model) leaves a confirmed group's faces where they are.
    for (const n of Object.keys(img)) await groupImageFaces(ctx.store, img[n]!.sha256);
    for (const n of ['obama.jpg', 'obama2.jpg', 'obama3.jpg']) expect(await personOf(n), n).toBe(obama);
    // A confirmed group links more strongly (still below a serial, and below a verified place's usual score).
    const links = await ctx.store.links.linked(img['obama.jpg']!.sha256, 0, { people: true });
    expect(links.find((l) => l.sha256 === img['obama3.jpg']!.sha256)?.reasons[0]?.weight).toBe(0.65);
  });
});

describe('purge', () => {
  it("when `clues case purge-faces` is run, then the case's descriptors and groups are gone, other cases keep theirs, and the purge is audited", async () => {
    const { code, stdout } = await runCli(['case', 'purge-faces', 'case-b'], { CLUES_DB_NAME: ctx.dbName });
    expect(code).toBe(0);
    expect(stdout).toContain('1 face(s)');
    expect(await ctx.store.faces.ofImage(img['obama3.jpg']!.sha256)).toEqual([]);
    expect(await ctx.store.faces.ofImage(img['obama.jpg']!.sha256)).toHaveLength(1);
    const obama = (await personOf('obama.jpg'))!;
    expect(await ctx.store.faces.person(obama)).toMatchObject({ faces: 2, cases: ['case-a'] });
    expect((await ctx.store.audit.recent(1))[0]).toMatchObject({
      action: 'faces-purged',
      target: 'case-b',
      detail: { faces: 1 },
    });
    // The face's box stays a clue (no biometric data), for crop screening.
    expect(
      (await ctx.store.images.cluesOf(img['obama3.jpg']!.sha256)).filter((c) => c.type === 'face'),
    ).toHaveLength(1);
  });
});

import type { Client } from '@temporalio/client';
import type { Express, Request } from 'express';
import { z } from 'zod';
import type { Store } from '../store';
import type { BlobStore } from '../blobs/blob-store';
import {
  confirmPerson,
  faceOf,
  FaceError,
  labelPerson,
  listPeople,
  mergePeople,
  personView,
  searchByFace,
  splitPerson,
} from '../usecases/faces';
import type { faceSearch } from '../workflows';
import { actorOf as actor, CAN, requireRole } from './auth';
import { HttpError } from './http-error';
import { sha256Param } from './params';
import { assertImageBody, imageBody, jsonBody, queryUpload, saveUpload } from './uploads';

const personId = z.string().regex(/^P-[0-9a-f]{10}$/, 'a person id is P- and 10 hex digits');
const faceId = z.string().regex(/^[0-9a-f]{64}:\d{1,4}$/, 'a face id is <sha256>:<index>');
const searchQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  case: z.string().max(100).optional(),
});

/**
 * Faces as people, for analysts and admins only: descriptors never leave the server (no route
 * returns one), and every search, view and change is audited.
 */
export function faceRoutes(
  app: Express,
  store: Store,
  opts: { blobs: BlobStore; temporal: () => { client: Client; taskQueue: string } },
): void {
  const analysts = requireRole(store, CAN.readFaces);
  const who = (req: Request) => ({ actor: actor(req), from: req.ip ?? '' });
  const mapped = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof FaceError) throw new HttpError(err.status, err.message);
      throw err;
    }
  };

  app.get('/api/images/:sha256/faces', analysts, async (req, res) => {
    const sha256 = sha256Param.parse(req.params.sha256);
    if (!(await store.images.get(sha256))) throw new HttpError(404, 'no such image');
    const faces = (await store.faces.ofImage(sha256)).map(({ descriptor, ...f }) => ({
      ...f,
      matchable: !!descriptor,
    }));
    await store.audit.write({
      actor: actor(req),
      action: 'view-faces',
      target: sha256,
      detail: { faces: faces.length },
      from: req.ip ?? '',
    });
    res.json(faces);
  });

  app.get('/api/images/:sha256/faces/:index/matches', analysts, async (req, res) => {
    const sha256 = sha256Param.parse(req.params.sha256);
    const index = z.coerce.number().int().min(1).max(9999).parse(req.params.index);
    const q = searchQuery.parse(req.query);
    const face = await mapped(() => faceOf(store, sha256, index));
    const hits = await searchByFace(store, face.descriptor!, {
      limit: q.limit,
      source: face._id,
      excludeFace: face._id,
      ...(q.case ? { caseId: q.case } : {}),
      ...who(req),
    });
    res.json({
      face: { index, box: face.box, person: face.person ?? null },
      hits: hits.filter((h) => h.sha256 !== sha256),
    });
  });

  app.post('/api/faces/search', analysts, imageBody, async (req, res) => {
    const q = searchQuery
      .extend({ face: z.coerce.number().int().min(1).max(9999).optional() })
      .parse(req.query);
    assertImageBody(req);
    const { client, taskQueue } = opts.temporal();
    const upload = await saveUpload(req, opts.blobs, 'faces');
    const result = await queryUpload(opts.blobs, upload, () =>
      client.workflow.execute<typeof faceSearch>('faceSearch', {
        workflowId: upload.id,
        taskQueue,
        args: [
          {
            path: upload.path,
            limit: q.limit,
            actor: actor(req),
            ...(q.face ? { face: q.face } : {}),
            ...(q.case ? { caseId: q.case } : {}),
          },
        ],
      }),
    );
    // A photo of a person is kept no longer than its search.
    await opts.blobs.delete(upload.key).catch(() => undefined);
    res.json(result);
  });

  app.get('/api/people', analysts, async (req, res) => {
    const q = z.strictObject({ case: z.string().max(100).optional() }).parse(req.query);
    res.json(await listPeople(store, q.case, who(req)));
  });

  app.get('/api/people/:id', analysts, async (req, res) => {
    const view = await mapped(() => personView(store, personId.parse(req.params.id), who(req)));
    res.json(view);
  });

  app.post('/api/people/:id/confirm', analysts, async (req, res) => {
    await mapped(() => confirmPerson(store, personId.parse(req.params.id), who(req)));
    res.json({ confirmed: true });
  });

  app.put('/api/people/:id/label', analysts, jsonBody, async (req, res) => {
    const { label } = z.strictObject({ label: z.string().max(100) }).parse(req.body);
    await mapped(() => labelPerson(store, personId.parse(req.params.id), label, who(req)));
    res.json({ label: label.trim() });
  });

  app.post('/api/people/:id/merge', analysts, jsonBody, async (req, res) => {
    const { from } = z.strictObject({ from: personId }).parse(req.body);
    res.json(await mapped(() => mergePeople(store, personId.parse(req.params.id), from, who(req))));
  });

  app.post('/api/people/:id/split', analysts, jsonBody, async (req, res) => {
    const { faces } = z.strictObject({ faces: z.array(faceId).min(1).max(500) }).parse(req.body);
    res
      .status(201)
      .json(await mapped(() => splitPerson(store, personId.parse(req.params.id), faces, who(req))));
  });
}

/** Which roles see person links among an image's links and in series (the grouping is biometric). */
export const seesPeople = (req: Request): boolean =>
  (CAN.readFaces as readonly string[]).includes(req.principal?.role ?? '');

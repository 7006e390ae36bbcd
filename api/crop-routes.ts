import type { Express } from 'express';
import { z } from 'zod';
import type { Store } from '../store';
import { acceptCrowdAnswer } from '../usecases/accept-crowd-answer';
import { publishCrop } from '../usecases/publish-crop';
import type { BlobStore } from '../storage/blob-store';
import { actorOf as actor, CAN, requireRole } from './auth';
import { HttpError } from './http-error';
import { rateLimit } from './rate-limit';
import { jsonBody } from './uploads';

const cropId = z.string().regex(/^TAO-[0-9A-F]{10}$/, 'expected a crop id such as TAO-0123456789');
const publishBody = z.strictObject({ clueId: z.string().regex(/^[0-9a-f]{64}:objects:[0-9a-f]{16}$/, 'expected an object clue id'), question: z.string().trim().min(10).max(300).optional() });
const tagBody = z.strictObject({
  what: z.string().trim().min(2).max(200),
  where: z.string().trim().max(200).optional(),
  brand: z.string().trim().max(100).optional(),
});
const acceptBody = z.strictObject({ key: z.string().min(1).max(200) });

export interface CropRouteOptions {
  /** Worker crops are read from it; published (re-encoded) crops are kept in it. */
  blobs: BlobStore;
  tagRate: { perToken: number; perAddress: number };
}

/**
 * Trace an Object: reviewers publish screened object crops; taggers (the public) see only those
 * crops and answer; reviewers accept answers, which become clues.
 */
export function cropRoutes(app: Express, store: Store, opts: CropRouteOptions): void {
  const review = requireRole(store, CAN.review);
  const publicView = requireRole(store, CAN.tagCrops);
  const reads = rateLimit({ name: 'public-read', perToken: opts.tagRate.perToken * 10, perAddress: opts.tagRate.perAddress * 10 });
  const writes = rateLimit({ name: 'public-write', ...opts.tagRate });

  app.post('/api/crops', review, jsonBody, async (req, res) => {
    const body = publishBody.parse(req.body);
    const out = await publishCrop(store, opts.blobs, { clueId: body.clueId, by: req.principal!.name, ...(body.question ? { question: body.question } : {}) });
    if (!out.ok) {
      if (out.status === 422) await store.audit.write({ actor: actor(req), action: 'publish-refused', target: body.clueId, detail: { reason: out.reason }, from: req.ip ?? '' });
      throw new HttpError(out.status, out.reason);
    }
    await store.audit.write({ actor: actor(req), action: 'publish-crop', target: out.id, detail: { clueId: body.clueId }, from: req.ip ?? '' });
    res.status(out.created ? 201 : 200).json({ id: out.id, question: out.question, label: out.label });
  });

  app.post('/api/crops/:id/withdraw', review, async (req, res) => {
    const id = cropId.parse(req.params.id);
    if (!(await store.crops.withdraw(id))) throw new HttpError(404, 'no such crop');
    await store.audit.write({ actor: actor(req), action: 'withdraw-crop', target: id, from: req.ip ?? '' });
    res.json({ id, status: 'withdrawn' });
  });

  app.get('/api/review', review, async (req, res) => {
    const queue = await store.crops.reviewQueue();
    await store.audit.write({ actor: actor(req), action: 'view-review', detail: { crops: queue.length }, from: req.ip ?? '' });
    res.json(queue.map(({ crop, answers }) => ({ id: crop._id, label: crop.label, question: crop.question, sha256: crop.sha256, clueId: crop.clueId, publishedBy: crop.publishedBy, publishedAt: crop.publishedAt, accepted: crop.accepted, answers })));
  });

  app.post('/api/review/:id/accept', review, jsonBody, async (req, res) => {
    const id = cropId.parse(req.params.id);
    const { key } = acceptBody.parse(req.body);
    const result = await acceptCrowdAnswer(store, id, key, req.principal!.name);
    if (!result) throw new HttpError(404, 'no such crop or answer');
    await store.audit.write({ actor: actor(req), action: 'accept-tag', target: id, detail: { answer: result.answer.answer, count: result.answer.count, clueIds: result.clueIds }, from: req.ip ?? '' });
    res.status(201).json(result);
  });

  app.get('/api/public/crops', publicView, reads, async (req, res) => {
    const crops = await store.crops.listPublic();
    await store.audit.write({ actor: actor(req), action: 'view-public-crops', detail: { crops: crops.length }, from: req.ip ?? '' });
    res.json(crops);
  });

  app.get('/api/public/crops/:id/image', publicView, reads, async (req, res) => {
    const id = cropId.parse(req.params.id);
    const crop = await store.crops.published(id);
    if (!crop?.file) throw new HttpError(404, 'no such published crop');
    await store.audit.write({ actor: actor(req), action: 'view-crop', target: id, from: req.ip ?? '' });
    res.set('Cache-Control', 'private, no-store').type('jpeg').send(await opts.blobs.get(crop.file));
  });

  app.post('/api/public/crops/:id/tags', publicView, writes, jsonBody, async (req, res) => {
    const id = cropId.parse(req.params.id);
    const body = tagBody.parse(req.body);
    if (!(await store.crops.published(id))) throw new HttpError(404, 'no such published crop');
    const tag = await store.crops.addTag({ cropId: id, what: body.what, ...(body.where ? { where: body.where } : {}), ...(body.brand ? { brand: body.brand } : {}), by: req.principal!.name });
    await store.audit.write({ actor: actor(req), action: 'tag-crop', target: id, detail: { tagId: tag._id, what: body.what }, from: req.ip ?? '' });
    res.status(201).json({ id: tag._id });
  });

  app.post('/api/public/crops/:id/tags/:tagId/votes', publicView, writes, async (req, res) => {
    const id = cropId.parse(req.params.id);
    const tagId = z.string().regex(/^[0-9a-f]{16}$/).parse(req.params.tagId);
    if (!(await store.crops.published(id))) throw new HttpError(404, 'no such published crop');
    const outcome = await store.crops.vote(id, tagId, req.principal!.name);
    if (outcome === 'unknown') throw new HttpError(404, 'no such answer');
    if (outcome === 'already') throw new HttpError(409, 'you have already voted for this answer');
    if (outcome === 'own') throw new HttpError(409, 'an answer cannot be voted for by the one who gave it');
    await store.audit.write({ actor: actor(req), action: 'vote', target: id, detail: { tagId }, from: req.ip ?? '' });
    res.status(201).json({ counted: true });
  });
}

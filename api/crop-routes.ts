import type { Express } from 'express';
import { z } from 'zod';
import type { Box } from '../core/clues';
import { screenCrop } from '../core/crop-screening';
import type { MongoClueStore } from '../store/clue-store';
import type { BlobStore } from '../storage/blob-store';
import { actorOf as actor, CAN, requireRole } from './auth';
import { HttpError } from './http-error';
import { publicCrop } from './media';
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
export function cropRoutes(app: Express, store: MongoClueStore, opts: CropRouteOptions): void {
  const review = requireRole(store, CAN.review);
  const publicView = requireRole(store, CAN.tagCrops);
  const reads = rateLimit({ name: 'public-read', perToken: opts.tagRate.perToken * 10, perAddress: opts.tagRate.perAddress * 10 });
  const writes = rateLimit({ name: 'public-write', ...opts.tagRate });

  app.post('/api/crops', review, jsonBody, async (req, res) => {
    const body = publishBody.parse(req.body);
    const clue = await store.getClue(body.clueId);
    if (!clue || clue.type !== 'object' || typeof clue.detail?.crop !== 'string') throw new HttpError(404, 'no such object clue with a crop');
    const image = await store.getImage(clue.sha256);
    if (!image?.info) throw new HttpError(404, 'the clue\'s image is not processed');
    const cropBox = (clue.detail.cropBox as Box | undefined) ?? clue.box!;
    const others = (await store.cluesOf(clue.sha256)).filter((c) => c.type === 'object' && c._id !== clue._id && c.box).map((c) => ({ label: c.value, box: c.box! }));
    const screening = screenCrop({ label: clue.value, cropBox, image: image.info, others });
    if (!screening.ok) {
      await store.audit({ actor: actor(req), action: 'publish-refused', target: clue._id, detail: { reason: screening.reason }, from: req.ip ?? '' });
      throw new HttpError(422, `refused by screening: ${screening.reason}`);
    }
    const pending = await store.publishCrop({ clueId: clue._id, sha256: clue.sha256, label: clue.value, cropBox, file: '', publishedBy: req.principal!.name, ...(body.question ? { question: body.question } : {}) });
    const file = `public-crops/${pending.doc._id}.jpg`;
    if (pending.created || !pending.doc.file) {
      await opts.blobs.put(file, await publicCrop(await opts.blobs.get(clue.detail.crop)), 'image/jpeg');
      await store.setCropFile(pending.doc._id, file);
    }
    await store.audit({ actor: actor(req), action: 'publish-crop', target: pending.doc._id, detail: { clueId: clue._id, sha256: clue.sha256 }, from: req.ip ?? '' });
    res.status(pending.created ? 201 : 200).json({ id: pending.doc._id, question: pending.doc.question, label: clue.value });
  });

  app.post('/api/crops/:id/withdraw', review, async (req, res) => {
    const id = cropId.parse(req.params.id);
    if (!(await store.withdrawCrop(id))) throw new HttpError(404, 'no such crop');
    await store.audit({ actor: actor(req), action: 'withdraw-crop', target: id, from: req.ip ?? '' });
    res.json({ id, status: 'withdrawn' });
  });

  app.get('/api/review', review, async (req, res) => {
    const queue = await store.reviewQueue();
    await store.audit({ actor: actor(req), action: 'view-review', detail: { crops: queue.length }, from: req.ip ?? '' });
    res.json(queue.map(({ crop, answers }) => ({ id: crop._id, label: crop.label, question: crop.question, sha256: crop.sha256, clueId: crop.clueId, publishedBy: crop.publishedBy, publishedAt: crop.publishedAt, accepted: crop.accepted, answers })));
  });

  app.post('/api/review/:id/accept', review, jsonBody, async (req, res) => {
    const id = cropId.parse(req.params.id);
    const { key } = acceptBody.parse(req.body);
    const result = await store.acceptAnswer(id, key, req.principal!.name);
    if (!result) throw new HttpError(404, 'no such crop or answer');
    await store.audit({ actor: actor(req), action: 'accept-tag', target: id, detail: { answer: result.answer.answer, count: result.answer.count, clueIds: result.clueIds }, from: req.ip ?? '' });
    res.status(201).json(result);
  });

  app.get('/api/public/crops', publicView, reads, async (req, res) => {
    const crops = await store.listPublicCrops();
    await store.audit({ actor: actor(req), action: 'view-public-crops', detail: { crops: crops.length }, from: req.ip ?? '' });
    res.json(crops);
  });

  app.get('/api/public/crops/:id/image', publicView, reads, async (req, res) => {
    const id = cropId.parse(req.params.id);
    const crop = await store.publishedCrop(id);
    if (!crop?.file) throw new HttpError(404, 'no such published crop');
    await store.audit({ actor: actor(req), action: 'view-crop', target: id, from: req.ip ?? '' });
    res.set('Cache-Control', 'private, no-store').type('jpeg').send(await opts.blobs.get(crop.file));
  });

  app.post('/api/public/crops/:id/tags', publicView, writes, jsonBody, async (req, res) => {
    const id = cropId.parse(req.params.id);
    const body = tagBody.parse(req.body);
    if (!(await store.publishedCrop(id))) throw new HttpError(404, 'no such published crop');
    const tag = await store.addCrowdTag({ cropId: id, what: body.what, ...(body.where ? { where: body.where } : {}), ...(body.brand ? { brand: body.brand } : {}), by: req.principal!.name });
    await store.audit({ actor: actor(req), action: 'tag-crop', target: id, detail: { tagId: tag._id, what: body.what }, from: req.ip ?? '' });
    res.status(201).json({ id: tag._id });
  });

  app.post('/api/public/crops/:id/tags/:tagId/votes', publicView, writes, async (req, res) => {
    const id = cropId.parse(req.params.id);
    const tagId = z.string().regex(/^[0-9a-f]{16}$/).parse(req.params.tagId);
    if (!(await store.publishedCrop(id))) throw new HttpError(404, 'no such published crop');
    const outcome = await store.voteForTag(id, tagId, req.principal!.name);
    if (outcome === 'unknown') throw new HttpError(404, 'no such answer');
    if (outcome === 'already') throw new HttpError(409, 'you have already voted for this answer');
    if (outcome === 'own') throw new HttpError(409, 'an answer cannot be voted for by the one who gave it');
    await store.audit({ actor: actor(req), action: 'vote', target: id, detail: { tagId }, from: req.ip ?? '' });
    res.status(201).json({ counted: true });
  });
}

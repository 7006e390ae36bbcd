import type { Express, RequestHandler } from 'express';
import { z } from 'zod';
import { uniqueTokens } from '../core/tokens';
import type { Store } from '../store';
import { submitTip } from '../usecases/submit-tip';
import type { BlobStore } from '../blobs/blob-store';
import { actorOf as actor, CAN, requireRole } from './auth';
import { cropIdParam, tipIdParam } from './crop-params';
import { HttpError } from './http-error';
import { plainLines, plainText } from './plain-text';
import { rateLimit } from './rate-limit';
import { jsonBody } from './uploads';

const hasWords = (s: string) => uniqueTokens(s).length > 0;
const tipBody = z.strictObject({
  what: plainText(2, 200).refine(hasWords, 'say what it is in letters or digits'),
  where: plainText(0, 200).optional(),
  brand: plainText(0, 100).optional(),
  note: plainLines(1000).optional(),
  contact: plainText(0, 200).optional(),
});

export interface PublicCropRouteOptions {
  blobs: BlobStore;
  tagRate: { perToken: number; perAddress: number };
  contactRetentionDays: number;
}

/**
 * Trace an Object, the public's side: the objects that still need help, counts of those solved,
 * tips and votes. Taggers a reviewer blocked are refused; everything is rate-limited per token
 * and per address, with counters every API process shares.
 */
export function publicCropRoutes(app: Express, store: Store, opts: PublicCropRouteOptions): void {
  const role = requireRole(store, CAN.tagCrops);
  const notBlocked: RequestHandler = (req, _res, next) => {
    const p = req.principal!;
    if (p.role !== 'tagger') return next();
    store.taggerBlocks.isBlocked(p.name).then(async (blocked) => {
      if (!blocked) return next();
      await store.audit.write({ actor: actor(req), action: 'denied', target: req.path, detail: { reason: 'blocked tagger' }, from: req.ip ?? '' });
      next(new HttpError(403, 'this token is blocked from the public view'));
    }, next);
  };
  const reads = [role, notBlocked, rateLimit(store.rateLimits, { name: 'public-read', perToken: opts.tagRate.perToken * 10, perAddress: opts.tagRate.perAddress * 10 })];
  const writes = [role, notBlocked, rateLimit(store.rateLimits, { name: 'public-write', ...opts.tagRate })];

  app.get('/api/public/crops', ...reads, async (req, res) => {
    const crops = await store.crops.listPublic();
    await store.audit.write({ actor: actor(req), action: 'view-public-crops', detail: { crops: crops.length }, from: req.ip ?? '' });
    res.json(crops);
  });

  app.get('/api/public/summary', ...reads, async (req, res) => {
    const summary = await store.crops.summary();
    await store.audit.write({ actor: actor(req), action: 'view-public-summary', detail: { ...summary }, from: req.ip ?? '' });
    res.json(summary);
  });

  app.get('/api/public/crops/:id/image', ...reads, async (req, res) => {
    const id = cropIdParam.parse(req.params.id);
    // Reviewers see the pictures of objects the public no longer sees (their review list).
    const crop = CAN.review.some((r) => r === req.principal!.role) ? await store.crops.get(id) : await store.crops.published(id);
    if (!crop?.file) throw new HttpError(404, 'no such published crop');
    await store.audit.write({ actor: actor(req), action: 'view-crop', target: id, from: req.ip ?? '' });
    res.set('Cache-Control', 'private, no-store').type('jpeg').send(await opts.blobs.get(crop.file));
  });

  app.post('/api/public/crops/:id/tags', ...writes, jsonBody, async (req, res) => {
    const id = cropIdParam.parse(req.params.id);
    const body = tipBody.parse(req.body);
    const tip = await submitTip(
      store,
      { cropId: id, what: body.what, ...(body.where ? { where: body.where } : {}), ...(body.brand ? { brand: body.brand } : {}), ...(body.note ? { note: body.note } : {}), ...(body.contact ? { contact: body.contact } : {}), by: req.principal!.name },
      opts.contactRetentionDays,
    );
    if (!tip) throw new HttpError(404, 'no such published crop');
    // What was said is audited; the contact details are not (only that there were some).
    await store.audit.write({ actor: actor(req), action: 'tag-crop', target: id, detail: { tagId: tip.id, what: body.what, note: body.note !== undefined, contact: body.contact !== undefined }, from: req.ip ?? '' });
    res.status(201).json({ id: tip.id });
  });

  app.post('/api/public/crops/:id/tags/:tagId/votes', ...writes, async (req, res) => {
    const id = cropIdParam.parse(req.params.id);
    const tagId = tipIdParam.parse(req.params.tagId);
    if (!(await store.crops.published(id))) throw new HttpError(404, 'no such published crop');
    const outcome = await store.crops.vote(id, tagId, req.principal!.name);
    if (outcome === 'unknown') throw new HttpError(404, 'no such answer');
    if (outcome === 'already') throw new HttpError(409, 'you have already voted for this answer');
    if (outcome === 'own') throw new HttpError(409, 'an answer cannot be voted for by the one who gave it');
    await store.audit.write({ actor: actor(req), action: 'vote', target: id, detail: { tagId }, from: req.ip ?? '' });
    res.status(201).json({ counted: true });
  });
}

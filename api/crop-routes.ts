import type { Express, Request } from 'express';
import { z } from 'zod';
import type { CropState } from '../core/api-types';
import { loadConfig } from '../core/config';
import type { Store } from '../store';
import { acceptCrowdAnswer } from '../usecases/accept-crowd-answer';
import { blockTagger } from '../usecases/block-tagger';
import { changeCropState } from '../usecases/change-crop-state';
import { publishCrop } from '../usecases/publish-crop';
import { reviewObjects, triageQueue } from '../usecases/review-queue';
import { triageTip } from '../usecases/triage-tip';
import type { BlobStore } from '../blobs/blob-store';
import { actorOf as actor, CAN, requireRole } from './auth';
import { cropIdParam, tipIdParam } from './crop-params';
import { HttpError } from './http-error';
import { plainText } from './plain-text';
import { publicCropRoutes } from './public-crop-routes';
import { jsonBody } from './uploads';

const STATES = ['open', 'under-review', 'located', 'worldwide', 'unresolved', 'withdrawn'] as const satisfies readonly CropState[];
const reason = plainText(3, 500);
const taggerName = plainText(1, 200);

const publishBody = z.strictObject({
  clueId: z.string().regex(/^[0-9a-f]{64}:objects:[0-9a-f]{16}$/, 'expected an object clue id'),
  question: plainText(10, 300).optional(),
  /** The reviewer read the text inside the crop (shown by the refusal) and publishes it anyway. */
  confirmText: z.boolean().optional(),
});
const acceptBody = z.strictObject({ key: z.string().min(1).max(200) });
const stateBody = z.strictObject({ state: z.enum(STATES), reason, country: plainText(2, 100).optional() });
const withdrawBody = z.strictObject({ reason });
const triageBody = z.strictObject({ verdict: z.enum(['useful', 'not-useful', 'duplicate', 'follow-up']), reason: reason.optional(), of: tipIdParam.optional() });
const blockBody = z.strictObject({ tagger: taggerName, reason });
const reviewQuery = z.strictObject({ closed: z.enum(['true', 'false']).default('false') });

/** Contact details are for reviewers: not for admins, analysts or the public (docs/web.md). */
const seesContacts = (req: Request) => req.principal?.role === 'reviewer';

export interface CropRouteOptions {
  /** Worker crops are read from it; published (re-encoded) crops are kept in it. */
  blobs: BlobStore;
  tagRate: { perToken: number; perAddress: number };
  /** Days a tagger's contact details are kept at most; the configuration's when not given. */
  contactRetentionDays?: number;
  /** Weighs again where and when an image was taken, after its clues changed. */
  relocate?: (sha256: string) => void;
}

/**
 * Trace an Object, reviewers' side: publish screened object crops, move them through their
 * states with a reason, triage the public's tips, accept grouped answers, block taggers who
 * flood. Every change is audited. The public side is in public-crop-routes.ts.
 */
export function cropRoutes(app: Express, store: Store, opts: CropRouteOptions): void {
  /** The image behind a crop gained clues: where and when it was taken is weighed again. */
  const relocateCrop = async (id: string) => {
    const crop = await store.crops.get(id);
    if (crop) opts.relocate?.(crop.sha256);
  };
  const review = requireRole(store, CAN.review);
  const audit = (req: Request, action: string, target: string | undefined, detail?: Record<string, unknown>) =>
    store.audit.write({ actor: actor(req), action, ...(target ? { target } : {}), ...(detail ? { detail } : {}), from: req.ip ?? '' });

  app.post('/api/crops', review, jsonBody, async (req, res) => {
    const body = publishBody.parse(req.body);
    const out = await publishCrop(store, opts.blobs, { clueId: body.clueId, by: req.principal!.name, ...(body.question ? { question: body.question } : {}), ...(body.confirmText ? { confirmText: true } : {}) });
    if (!out.ok) {
      if (out.status === 422) await audit(req, 'publish-refused', body.clueId, { reason: out.reason });
      throw new HttpError(out.status, out.reason);
    }
    await audit(req, 'publish-crop', out.id, { clueId: body.clueId, ...(out.text.length ? { textInCrop: out.text.length, textConfirmed: body.confirmText === true } : {}) });
    res.status(out.created ? 201 : 200).json({ id: out.id, question: out.question, label: out.label, text: out.text });
  });

  app.post('/api/crops/:id/state', review, jsonBody, async (req, res) => {
    const id = cropIdParam.parse(req.params.id);
    const body = stateBody.parse(req.body);
    const out = await changeCropState(store, id, { to: body.state, reason: body.reason, ...(body.country ? { country: body.country } : {}), by: req.principal!.name });
    if (!out.ok) {
      if (out.status === 409) await audit(req, 'crop-state-refused', id, { to: body.state, reason: out.reason });
      throw new HttpError(out.status, out.reason);
    }
    await audit(req, 'crop-state', id, { from: out.change.from, to: out.change.to, reason: out.change.reason, ...(out.change.country ? { country: out.change.country } : {}), clueIds: out.clueIds, contactsRemoved: out.contactsRemoved });
    if (out.clueIds.length) await relocateCrop(id);
    res.json({ id, state: out.change.to, ...(out.change.country ? { country: out.change.country, countryCode: out.change.countryCode } : {}), clueIds: out.clueIds });
  });

  // Kept from before objects had a life: withdrawing, with a reason like every state change.
  app.post('/api/crops/:id/withdraw', review, jsonBody, async (req, res) => {
    const id = cropIdParam.parse(req.params.id);
    const body = withdrawBody.parse(req.body ?? {});
    const crop = await store.crops.get(id);
    if (!crop) throw new HttpError(404, 'no such crop');
    if (crop.status !== 'withdrawn') {
      const out = await changeCropState(store, id, { to: 'withdrawn', reason: body.reason, by: req.principal!.name });
      if (!out.ok) throw new HttpError(out.status, out.reason);
      await audit(req, 'withdraw-crop', id, { from: out.change.from, reason: out.change.reason, contactsRemoved: out.contactsRemoved });
    }
    res.json({ id, status: 'withdrawn' });
  });

  app.get('/api/review', review, async (req, res) => {
    const q = reviewQuery.parse(req.query);
    const objects = await reviewObjects(store, { withContacts: seesContacts(req), includeClosed: q.closed === 'true' });
    await audit(req, 'view-review', undefined, { crops: objects.length, contacts: seesContacts(req) });
    res.json(objects);
  });

  app.get('/api/review/tips', review, async (req, res) => {
    const queue = await triageQueue(store, { withContacts: seesContacts(req) });
    await audit(req, 'view-review-tips', undefined, { entries: queue.length, new: queue.filter((e) => e.new).length, contacts: seesContacts(req) });
    res.json(queue);
  });

  app.post('/api/review/:id/accept', review, jsonBody, async (req, res) => {
    const id = cropIdParam.parse(req.params.id);
    const { key } = acceptBody.parse(req.body);
    const result = await acceptCrowdAnswer(store, id, key, req.principal!.name);
    if (!result) throw new HttpError(404, 'no such crop or answer');
    await audit(req, 'accept-tag', id, { answer: result.answer.answer, count: result.answer.count, clueIds: result.clueIds });
    await relocateCrop(id);
    res.status(201).json(result);
  });

  app.post('/api/review/:id/tips/:tagId', review, jsonBody, async (req, res) => {
    const id = cropIdParam.parse(req.params.id);
    const tipId = tipIdParam.parse(req.params.tagId);
    const body = triageBody.parse(req.body);
    const out = await triageTip(store, id, tipId, { verdict: body.verdict, by: req.principal!.name, ...(body.reason ? { reason: body.reason } : {}), ...(body.of ? { of: body.of } : {}) });
    if (!out) throw new HttpError(404, 'no such crop or tip');
    await audit(req, 'triage-tip', id, { entry: out.entry.id, verdict: body.verdict, merged: out.entry.merged, ...(body.reason ? { reason: body.reason } : {}), clueIds: out.clueIds });
    if (out.clueIds.length) await relocateCrop(id);
    // No contact details in this answer: a reviewer reads them in the queue.
    res.json(out);
  });

  app.get('/api/taggers/blocked', review, async (req, res) => {
    const blocks = await store.taggerBlocks.list();
    await audit(req, 'view-tagger-blocks', undefined, { blocked: blocks.length });
    res.json(blocks);
  });

  app.post('/api/taggers/block', review, jsonBody, async (req, res) => {
    const body = blockBody.parse(req.body);
    const out = await blockTagger(store, body.tagger, req.principal!.name, body.reason);
    if (!out.ok) throw new HttpError(out.status, out.reason);
    await audit(req, 'block-tagger', body.tagger, { reason: body.reason });
    res.status(201).json({ tagger: body.tagger, blocked: true });
  });

  app.post('/api/taggers/unblock', review, jsonBody, async (req, res) => {
    const body = blockBody.parse(req.body);
    if (!(await store.taggerBlocks.unblock(body.tagger))) throw new HttpError(404, 'this tagger is not blocked');
    await audit(req, 'unblock-tagger', body.tagger, { reason: body.reason });
    res.json({ tagger: body.tagger, blocked: false });
  });

  publicCropRoutes(app, store, { blobs: opts.blobs, tagRate: opts.tagRate, contactRetentionDays: opts.contactRetentionDays ?? loadConfig().tao.contactRetentionDays });
}

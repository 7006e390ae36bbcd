import type { Express } from 'express';
import { z } from 'zod';
import type { Store } from '../store';
import { addAnalystTag, tagHistory } from '../usecases/tag-history';
import { FileBlobStore, type BlobStore } from '../blobs/blob-store';
import { actorOf as actor, CAN, requireRole } from './auth';
import { HttpError } from './http-error';
import { readableSource, thumbnail, viewImage } from './media';
import { sha256Param } from './params';
import { jsonBody } from './uploads';

const tagBody = z.strictObject({ value: z.string().trim().min(2).max(200) });

/** Pictures of evidence and people's tags on it: analysts, reviewers and admins only. */
export function imageRoutes(app: Express, store: Store, opts: { blobs: BlobStore; thumbnailsDir: string; relocate?: (sha256: string) => void }): void {
  const evidence = requireRole(store, CAN.searchEvidence);
  const thumbnails = new FileBlobStore(opts.thumbnailsDir);

  const imageOf = async (raw: unknown) => {
    const sha256 = sha256Param.parse(raw);
    const image = await store.images.get(sha256);
    if (!image) throw new HttpError(404, 'no such image');
    return { sha256, source: () => readableSource(image.paths, opts.blobs) };
  };

  app.get('/api/images/:sha256/thumbnail', evidence, async (req, res) => {
    const { sha256, source } = await imageOf(req.params.sha256);
    const data = await thumbnail(thumbnails, sha256, source);
    await store.audit.write({ actor: actor(req), action: 'view-thumbnail', target: sha256, from: req.ip ?? '' });
    res.set('Cache-Control', 'private, no-store').type('jpeg').send(data);
  });

  app.get('/api/images/:sha256/file', evidence, async (req, res) => {
    const { sha256, source } = await imageOf(req.params.sha256);
    const { data, scale } = await viewImage(await source());
    await store.audit.write({ actor: actor(req), action: 'view-image-file', target: sha256, from: req.ip ?? '' });
    res.set({ 'Cache-Control': 'private, no-store', 'X-Image-Scale': String(scale) }).setHeader('Content-Type', 'image/jpeg').send(data);
  });

  app.get('/api/images/:sha256/tags', evidence, async (req, res) => {
    const sha256 = sha256Param.parse(req.params.sha256);
    if (!(await store.images.get(sha256))) throw new HttpError(404, 'no such image');
    await store.audit.write({ actor: actor(req), action: 'view-tags', target: sha256, from: req.ip ?? '' });
    res.json(await tagHistory(store, sha256));
  });

  app.post('/api/images/:sha256/tags', evidence, jsonBody, async (req, res) => {
    const sha256 = sha256Param.parse(req.params.sha256);
    const { value } = tagBody.parse(req.body);
    if (!(await store.images.get(sha256))) throw new HttpError(404, 'no such image');
    const clueId = await addAnalystTag(store, sha256, value, req.principal!.name);
    opts.relocate?.(sha256);
    await store.audit.write({ actor: actor(req), action: 'tag-image', target: sha256, detail: { value, clueId }, from: req.ip ?? '' });
    res.status(201).json({ clueId });
  });
}

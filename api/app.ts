import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import express from 'express';
import { z } from 'zod';
import type { Store } from '../store';
import { logger } from '../core/log';
import { searchQuerySchema } from '../core/search-query';
import { searchImages } from '../usecases/search-images';
import { caseFor, caseLimited, visibleTo } from '../usecases/case-access';
import { exportCaseVics } from '../usecases/vics-export';
import type { BlobStore } from '../blobs/blob-store';
import { openBlobStore } from '../blobs/open';
import { loadConfig } from '../core/config';
import { actorOf as actor, CAN, requireRole } from './auth';
import { cropRoutes } from './crop-routes';
import { imageRoutes } from './image-routes';
import { faceRoutes, seesPeople } from './face-routes';
import { meRoutes } from './me-routes';
import { runRoutes } from './run-routes';
import { webRoutes } from './web';
import { errorHandler, HttpError } from './http-error';
import { openApiDocument } from './openapi';
import { sha256Param } from './params';
import { assertImageBody, imageBody, queryUpload, saveUpload } from './uploads';
import type { addKnownPlace, locateImages, locateSeries, similarImages } from '../workflows';

const log = logger('api');

export interface ApiServices {
  /** Query-by-example, known places and runs go to workers, through the Temporal client. */
  temporal?: { client: Client; taskQueue: string };
  /** Shared storage: crops written by the workers, published crops, uploaded query images. */
  blobs: BlobStore;
  /** This process's cache of thumbnails (local: a cache, not evidence storage). */
  thumbnailsDir: string;
  tagRate: { perToken: number; perAddress: number };
  importRoot?: string;
  /** The built web views (dist/web). */
  webDir: string;
  /** Proxies believed about the client's address (CLUES_TRUST_PROXY); none when absent. */
  trustProxy?: number | string;
}

function defaults(): ApiServices {
  const cfg = loadConfig();
  return {
    blobs: openBlobStore(cfg.storage),
    thumbnailsDir: cfg.paths.thumbnails,
    tagRate: cfg.tagRate,
    webDir: join(cfg.root, 'dist', 'web'),
    ...(cfg.importRoot ? { importRoot: cfg.importRoot } : {}),
    ...(cfg.api.trustProxy !== undefined ? { trustProxy: cfg.api.trustProxy } : {}),
  };
}

/** The holder's cases, for use cases that keep a limited token inside them. */
const scope = (req: express.Request) => (req.principal?.cases ? { cases: req.principal.cases } : {});

export function createApp(store: Store, given: Partial<ApiServices> = {}) {
  const services: ApiServices = { ...defaults(), ...given };
  const app = express();
  const temporal = () => {
    if (!services.temporal) throw new HttpError(503, 'this needs the Temporal workers, which this API was started without');
    return services.temporal;
  };
  app.disable('x-powered-by');
  // The address that rate limits, failed-authentication locks and the audit see.
  app.set('trust proxy', services.trustProxy ?? false);
  app.set('query parser', 'simple'); // no nested objects from ?a[b]=c: no operator injection
  webRoutes(app, services.webDir);

  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  app.get('/health', async (_req, res) => {
    await store.ping();
    res.json({ ok: true });
  });

  // Every API answer is evidence or about it: no browser or proxy may keep a copy.
  app.use('/api', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  const evidence = requireRole(store, CAN.searchEvidence);

  app.get('/api/search', evidence, async (req, res) => {
    res.json(await searchImages(store, searchQuerySchema.parse(req.query), { actor: actor(req), from: req.ip ?? '', ...scope(req) }));
  });

  app.get('/api/images/:sha256', evidence, async (req, res) => {
    const sha256 = sha256Param.parse(req.params.sha256);
    const image = await store.images.get(sha256);
    if (!image) throw new HttpError(404, 'no such image');
    await store.audit.write({ actor: actor(req), action: 'view-image', target: sha256, from: req.ip ?? '' });
    res.json({ image, clues: await store.images.cluesOf(sha256), knownHashes: await store.hashSets.matches(image) });
  });

  app.get('/api/images/:sha256/links', evidence, async (req, res) => {
    const sha256 = sha256Param.parse(req.params.sha256);
    const minStrength = z.coerce.number().min(0).max(1).default(0).parse(req.query.minStrength);
    if (!(await store.images.get(sha256))) throw new HttpError(404, 'no such image');
    const links = visibleTo(req.principal, await store.links.linked(sha256, minStrength, { people: seesPeople(req) }));
    await store.audit.write({ actor: actor(req), action: 'view-links', target: sha256, detail: { results: links.length }, from: req.ip ?? '' });
    res.json(links);
  });

  app.get('/api/series', evidence, async (req, res) => {
    const q = z.strictObject({ minStrength: z.coerce.number().min(0).max(1).default(0.5), case: z.string().max(100).optional() }).parse(req.query);
    const series = await store.links.series(q.minStrength, caseFor(req.principal, q.case), { people: seesPeople(req) });
    await store.audit.write({ actor: actor(req), action: 'view-series', detail: { ...q, results: series.length }, from: req.ip ?? '' });
    res.json(series);
  });

  app.post('/api/similar', evidence, imageBody, async (req, res) => {
    const asked = z.strictObject({
      limit: z.coerce.number().int().min(1).max(200).default(20),
      case: z.string().max(100).optional(),
      // "Find this elsewhere": the image and box the query was cut from, kept in the audit.
      from: z.string().regex(/^[0-9a-f]{64}$/).optional(),
      box: z.string().regex(/^\d{1,6}(,\d{1,6}){3}$/).optional(),
    }).parse(req.query);
    const inCase = caseFor(req.principal, asked.case);
    const q = { ...asked, ...(inCase !== undefined ? { case: inCase } : {}) };
    assertImageBody(req);
    const { client, taskQueue } = temporal();
    const upload = await saveUpload(req, services.blobs, 'similar');
    const result = await queryUpload(services.blobs, upload, () =>
      client.workflow.execute<typeof similarImages>('similarImages', {
        workflowId: upload.id,
        taskQueue,
        args: [{ path: upload.path, limit: q.limit, ...(q.case ? { caseId: q.case } : {}) }],
      }),
    );
    await store.audit.write({ actor: actor(req), action: 'search-by-example', target: upload.sha256, detail: { ...q, results: result.hits.length, skipped: result.skipped.length }, from: req.ip ?? '' });
    res.json(result);
  });

  app.get('/api/places', evidence, async (req, res) => {
    const places = (await store.places.list()).map((p) => ({ id: p._id, name: p.name, createdAt: p.createdAt }));
    await store.audit.write({ actor: actor(req), action: 'list-places', detail: { results: places.length }, from: req.ip ?? '' });
    res.json(places);
  });

  app.post('/api/places', requireRole(store, CAN.managePlaces), imageBody, async (req, res) => {
    const { name } = z.strictObject({ name: z.string().trim().min(2).max(200) }).parse(req.query);
    assertImageBody(req);
    const { client, taskQueue } = temporal();
    const upload = await saveUpload(req, services.blobs, 'place');
    const result = await queryUpload(services.blobs, upload, () => client.workflow.execute<typeof addKnownPlace>('addKnownPlace', { workflowId: upload.id, taskQueue, args: [{ path: upload.path, name }] }));
    await store.audit.write({ actor: actor(req), action: 'place-add', target: result.placeId, detail: { name, matched: result.matched }, from: req.ip ?? '' });
    res.status(201).json(result);
  });

  app.get('/api/cases/:case/vics', evidence, async (req, res) => {
    const caseId = caseFor(req.principal, z.string().trim().min(1).max(100).parse(req.params.case))!;
    const { json, count } = await exportCaseVics(store, caseId);
    await store.audit.write({ actor: actor(req), action: 'export-vics', target: caseId, detail: { count }, from: req.ip ?? '' });
    res.type('application/json').send(json);
  });

  app.get('/api/stats', evidence, async (_req, res) => {
    res.json(await store.images.counts());
  });

  app.get('/api/audit', requireRole(store, CAN.readAudit), async (req, res) => {
    const limit = z.coerce.number().int().min(1).max(1000).default(100).parse(req.query.limit);
    await store.audit.write({ actor: actor(req), action: 'read-audit', detail: { limit }, from: req.ip ?? '' });
    res.json(await store.audit.recent(limit));
  });

  // Where and when is weighed on the workers (its tables and identifiers are not loaded here).
  const relocate = (sha256: string) => {
    if (!services.temporal) return;
    const { client, taskQueue } = services.temporal;
    client.workflow
      .start<typeof locateImages>('locateImages', { workflowId: `where-${sha256.slice(0, 16)}-${randomUUID()}`, taskQueue, args: [{ sha256s: [sha256] }] })
      .catch((err: unknown) => log.warn({ err, sha256 }, 'where and when not weighed again'));
  };

  app.get('/api/images/:sha256/where', evidence, async (req, res) => {
    const sha256 = sha256Param.parse(req.params.sha256);
    const q = z.strictObject({ series: z.enum(['true', 'false']).default('false'), minStrength: z.coerce.number().min(0).max(1).default(0.5) }).parse(req.query);
    const image = await store.images.get(sha256);
    if (!image) throw new HttpError(404, 'no such image');
    let result;
    if (q.series === 'true') {
      // A series may reach into other cases: not for a token limited to some.
      if (caseLimited(req.principal)) throw new HttpError(403, 'this token is limited to named cases, and a series may span cases');
      const { client, taskQueue } = temporal();
      result = await client.workflow.execute<typeof locateSeries>('locateSeries', { workflowId: `where-series-${sha256.slice(0, 16)}-${randomUUID()}`, taskQueue, args: [{ sha256, minStrength: q.minStrength }] });
    } else {
      if (!image.where) throw new HttpError(404, 'where and when has not been weighed for this image yet');
      result = image.where;
    }
    await store.audit.write({ actor: actor(req), action: q.series === 'true' ? 'view-where-series' : 'view-where', target: sha256, from: req.ip ?? '' });
    res.json(result);
  });

  imageRoutes(app, store, { blobs: services.blobs, thumbnailsDir: services.thumbnailsDir, relocate });
  cropRoutes(app, store, { blobs: services.blobs, tagRate: services.tagRate, relocate });
  faceRoutes(app, store, { blobs: services.blobs, temporal });
  meRoutes(app, store);
  runRoutes(app, store, { temporal, ...(services.importRoot ? { importRoot: services.importRoot } : {}) });

  app.use((_req, _res, next) => next(new HttpError(404, 'not found')));
  app.use(errorHandler);
  return app;
}

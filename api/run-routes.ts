import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import { z } from 'zod';
import { listRuns, runProgress, signalRun, startRun } from '../client/batch-runs';
import { RUN_ITEM_KINDS } from '../core/batch';
import type { Store } from '../store';
import { MAX_RUN_ITEMS_PAGE } from '../store/run-items';
import { actorOf as actor, CAN, requireRole } from './auth';
import { HttpError } from './http-error';
import { BATCH_RUN_ID } from './params';
import { jsonBody } from './uploads';
import { importSource, ImportSourceError } from '../usecases/import-source';

const BATCH_WORKFLOW_TYPE = 'processBatch';

function runIdParam(raw: unknown): string {
  if (typeof raw !== 'string' || !BATCH_RUN_ID.test(raw)) throw new HttpError(404, 'no such run');
  return raw;
}
const startBody = z.strictObject({
  /** Relative to the import root: the API never reads outside it. */
  source: z.string().min(1).max(1000),
  case: z.string().trim().min(1).max(100).optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
});

export interface RunRouteOptions {
  temporal: () => { client: Client; taskQueue: string };
  importRoot?: string;
}

/** A real path under the import root (usecases/import-source.ts), or a 400 / 404. */
const insideRoot = (root: string, source: string) =>
  importSource(root, source).catch((err: unknown) => {
    if (err instanceof ImportSourceError) throw new HttpError(err.kind === 'outside' ? 400 : 404, err.message);
    throw err;
  });

/** Overnight batch runs through the Temporal client: list, watch, start, pause, resume, cancel. */
export function runRoutes(app: Express, store: Store, opts: RunRouteOptions): void {
  const watch = requireRole(store, CAN.watchRuns);
  const control = requireRole(store, CAN.controlRuns);

  app.get('/api/runs', watch, async (req, res) => {
    const { client } = opts.temporal();
    const runs = await listRuns(client, 20);
    const withProgress = await Promise.all(runs.map(async (r) => ({ ...r, progress: await runProgress(client, r) })));
    await store.audit.write({ actor: actor(req), action: 'view-runs', detail: { runs: runs.length }, from: req.ip ?? '' });
    res.json(withProgress);
  });

  /** The run's description, or a 404 when the id names no batch run. */
  const describeRun = async (client: Client, id: string) => {
    const d = await client.workflow.getHandle(id).describe().catch(() => null);
    if (d?.type !== BATCH_WORKFLOW_TYPE) throw new HttpError(404, 'no such run');
    return d;
  };

  app.get('/api/runs/:id', watch, async (req, res) => {
    const id = runIdParam(req.params.id);
    const { client } = opts.temporal();
    const d = await describeRun(client, id);
    const progress = await runProgress(client, { runId: id, status: d.status.name, ...(d.startTime ? { startTime: d.startTime } : {}), ...(d.closeTime ? { closeTime: d.closeTime } : {}) });
    await store.audit.write({ actor: actor(req), action: 'view-run', target: id, detail: { status: d.status.name }, from: req.ip ?? '' });
    res.json({ runId: id, status: d.status.name, progress });
  });

  /** Every failed, partial or skipped file of a run with its reason, a page at a time in listing order. */
  const itemsQuery = z.strictObject({
    kind: z.enum(RUN_ITEM_KINDS).default('failed'),
    after: z.coerce.number().int().min(-1).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_RUN_ITEMS_PAGE).default(100),
  });
  app.get('/api/runs/:id/failures', watch, async (req, res) => {
    const id = runIdParam(req.params.id);
    const q = itemsQuery.parse(req.query);
    const page = await store.runItems.page(id, q.kind, { limit: q.limit, ...(q.after !== undefined ? { after: q.after } : {}) });
    await store.audit.write({ actor: actor(req), action: 'view-run-failures', target: id, detail: { kind: q.kind, items: page.items.length }, from: req.ip ?? '' });
    res.json({ runId: id, kind: q.kind, ...page });
  });

  app.post('/api/runs', control, jsonBody, async (req, res) => {
    const body = startBody.parse(req.body);
    if (!opts.importRoot) throw new HttpError(503, 'runs through the API need CLUES_IMPORT_ROOT; use `clues run` on the worker machine');
    const source = await insideRoot(opts.importRoot, body.source);
    const { client, taskQueue } = opts.temporal();
    const id = await startRun(client, taskQueue, source, { ...(body.case ? { caseId: body.case } : {}), ...(body.concurrency ? { concurrency: body.concurrency } : {}) }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new HttpError(404, 'no such folder or manifest in the import folder');
      throw err;
    });
    await store.audit.write({ actor: actor(req), action: 'start-run', target: id, detail: { source: body.source, ...(body.case ? { case: body.case } : {}) }, from: req.ip ?? '' });
    res.status(201).json({ runId: id });
  });

  app.post('/api/runs/:id/:action', control, async (req, res) => {
    const id = runIdParam(req.params.id);
    const action = z.enum(['pause', 'resume', 'cancel']).parse(req.params.action);
    const { client } = opts.temporal();
    await describeRun(client, id);
    await signalRun(client, id, action).catch(() => {
      throw new HttpError(404, 'no such running run');
    });
    await store.audit.write({ actor: actor(req), action: `run-${action}`, target: id, from: req.ip ?? '' });
    res.json({ runId: id, signalled: action });
  });
}

import { randomUUID } from 'node:crypto';
import { formatRegionIndexCount, regionIndexCount } from './reindex-regions';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { failureReason } from '../core/failures';
import { ingest } from '../usecases/ingest';
import { connectClient } from '../client/temporal-client';
import type { Config } from '../core/config';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { exportCaseVics } from '../usecases/vics-export';
import { parseHashCsv, parseVics } from '../hashsets/vics';
import { listRuns, runStatus, signalRun, startRun, waitForRun } from '../client/batch-runs';
import { addSchedule, deleteSchedule, listSchedules } from '../client/schedules';
import { RUN_ITEM_KINDS, type BatchStatus, type RunItemKind } from '../core/batch';
import type { SimilarResult } from '../usecases/similar-images';
import { fileSha256 } from '../models/file-hashes';
import { pidRecord } from '../services/daemon';
import { ALL_SERVICES, downServices, upServices } from '../services/embedded';
import type { SearchQuery } from '../core/search-query';
import { openStore, type Store, ROLES, type Role } from '../store';
import { searchImages } from '../usecases/search-images';
import { formatSearch, formatSimilar } from './format';
import { progressBar } from './progress';
import { pathError, UnreachableError, UserError } from './user-error';

const actor = () => `cli:${userInfo().username}`;

/** Temporal's client, or one line saying it does not answer. */
export async function connect(cfg: Config): ReturnType<typeof connectClient> {
  try {
    return await connectClient(cfg);
  } catch (err) {
    throw new UnreachableError(`cannot reach Temporal at ${cfg.temporal.address} (${(err as Error).message}); is \`clues up\` running?`, { cause: err });
  }
}

export async function withStore<T>(cfg: Config, run: (store: Store) => Promise<T>): Promise<T> {
  let store: Store;
  try {
    store = await openStore(cfg.mongo.uri, cfg.mongo.dbName);
  } catch (err) {
    throw new UnreachableError(`cannot reach the clue store at ${cfg.mongo.anonymousUri} (${(err as Error).message}); is \`clues up\` running?`, { cause: err });
  }
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

export async function up(cfg: Config, opts: { temporalUi?: boolean } = {}): Promise<void> {
  await upServices(cfg, ALL_SERVICES, (name, outcome) => {
    const what = outcome === 'external' ? 'external (configured by environment)' : outcome === 'reused' ? 'already running, reused' : outcome === 'restarted' ? 'restarted (it had died)' : 'started';
    console.log(`${name.padEnd(9)} ${what}`);
  }, opts);
  console.log(`API        ${cfg.api.url}`);
  if (cfg.temporal.embedded) {
    const how = cfg.temporal.isolation === 'namespace' ? 'mutual TLS, its own network namespace' : 'NOT isolated: CLUES_TEMPORAL_ISOLATION=none';
    console.log(`Temporal   ${cfg.temporal.address} (${how})`);
    if (opts.temporalUi) {
      console.log(`Temporal UI http://127.0.0.1:${cfg.temporal.uiPort}`);
      console.error(
        'warning: Temporal\'s web UI has no login: every user of this machine can open it and see workflow ids, types and timings ' +
          '(payloads and failure messages are encrypted). Stop it with `clues down && clues up`.',
      );
    }
  }
  if (cfg.temporal.embedded && cfg.temporal.isolation === 'none') {
    console.error('warning: CLUES_TEMPORAL_ISOLATION=none: every user of this machine can reach Temporal and start, stop or read workflows (payloads stay encrypted)');
  }
  console.log(`data       ${cfg.dataDir}`);
}

export async function down(cfg: Config): Promise<void> {
  const stopped = await downServices(cfg);
  console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
}

export async function status(cfg: Config): Promise<void> {
  for (const name of ALL_SERVICES) {
    const r = pidRecord(cfg.paths, name);
    const what = !r ? 'not running'
      : r.running ? `running (pid ${r.pf.pid}, since ${r.pf.startedAt})`
      : r.pf.stoppedAt ? `stopped (at ${r.pf.stoppedAt})`
      : `not running: pid ${r.pf.pid} exited unexpectedly (see ${cfg.paths.logs}/${name}.log; the supervisor or \`clues up\` starts it again)`;
    const restarts = r?.pf.restarts ? `; restarted ${r.pf.restarts} time(s), last at ${r.pf.lastRestartAt}` : '';
    console.log(`${name.padEnd(10)} ${what}${restarts}`);
  }
  if (pidRecord(cfg.paths, 'database')?.running) {
    const line = await withStore(cfg, async (store) => formatRegionIndexCount(await regionIndexCount(cfg, store))).catch((err: unknown) => `unknown (${err instanceof Error ? err.message : String(err)})`);
    console.log(`${'regions'.padEnd(9)} ${line}`);
  }
}

export async function ingestCommand(cfg: Config, paths: string[], opts: { wait: boolean; caseId?: string; json: boolean }): Promise<number> {
  if (paths.length === 0) throw new Error('usage: clues ingest <file|dir>... [--wait] [--case ID] [--json]');
  const client = await connect(cfg);
  try {
    return await withStore(cfg, async (store) => {
      const bar = opts.wait && !opts.json ? progressBar() : { update: () => undefined, end: () => undefined };
      const summary = await ingest(paths, client, store, {
        wait: opts.wait,
        taskQueue: cfg.taskQueues.io,
        ...(opts.caseId ? { caseId: opts.caseId } : {}),
        onProgress: bar.update,
      });
      bar.end();
      await store.audit.write({ actor: actor(), action: 'ingest', detail: { paths: paths.map((p) => resolve(p)), found: summary.total, started: summary.started } });
      if (opts.json) {
        console.log(JSON.stringify(summary, null, 2));
      } else {
        console.log(`found ${summary.total}, started ${summary.started}${opts.wait ? `, processed ${summary.processed}` : ''}, skipped as duplicate ${summary.duplicates}, failed ${summary.failed}`);
        for (const d of summary.duplicateOf) console.log(`  duplicate  ${d.path}: ${d.reason}`);
        for (const f of summary.failures) console.log(`  failed     ${f.path}: ${f.reason}`);
        for (const k of summary.skipped) console.log(`  skipped    ${k.path}: ${k.reason}`);
      }
      return summary.failed > 0 ? 3 : 0;
    });
  } finally {
    await client.connection.close();
  }
}

/** The same path as the API's search: the store's indexes, and an audit record. */
export async function searchCommand(cfg: Config, q: SearchQuery, json: boolean): Promise<void> {
  await withStore(cfg, async (store) => {
    const { hits } = await searchImages(store, q, { actor: actor() });
    console.log(json ? JSON.stringify(hits, null, 2) : formatSearch(hits));
  });
}

/**
 * Query by example and known places run on the workers, through Temporal, as for the API: the
 * models stay in the engine process and the CLI loads none.
 */
async function onWorkers<T>(cfg: Config, workflow: 'similarImages' | 'addKnownPlace', file: string, args: Record<string, unknown>): Promise<{ result: T; sha256: string }> {
  const path = resolve(file);
  const sha256 = await fileSha256(path);
  const client = await connect(cfg);
  try {
    const result = await client.workflow.execute<(input: unknown) => Promise<T>>(workflow, {
      workflowId: `${workflow === 'similarImages' ? 'similar' : 'place'}-${sha256.slice(0, 16)}-${randomUUID()}`,
      taskQueue: cfg.taskQueues.io,
      args: [{ path, ...args }],
    });
    return { result, sha256 };
  } catch (err) {
    throw new Error(`${file}: ${failureReason(err)}`, { cause: err });
  } finally {
    await client.connection.close();
  }
}

export async function similarCommand(cfg: Config, file: string, opts: { limit: number; json: boolean; caseId?: string }): Promise<void> {
  const { result, sha256 } = await onWorkers<SimilarResult>(cfg, 'similarImages', file, { limit: opts.limit, ...(opts.caseId ? { caseId: opts.caseId } : {}) });
  const hits = result.hits;
  await withStore(cfg, async (store) => {
    await store.audit.write({ actor: actor(), action: 'similar', detail: { query: resolve(file), sha256, results: hits.length, skipped: result.skipped.length } });
  });
  console.log(opts.json ? JSON.stringify(result, null, 2) : formatSimilar(result));
}

export async function placeAddCommand(cfg: Config, file: string, name: string): Promise<void> {
  const { result } = await onWorkers<{ placeId: string; matched: number }>(cfg, 'addKnownPlace', file, { name });
  await withStore(cfg, async (store) => {
    await store.audit.write({ actor: actor(), action: 'place-add', target: result.placeId, detail: { name, path: resolve(file), matched: result.matched } });
  });
  console.log(`known place "${name}" added from ${resolve(file)}; ${result.matched} stored image(s) matched it, and new images will be matched too`);
}

export async function placeListCommand(cfg: Config, json: boolean): Promise<void> {
  await withStore(cfg, async (store) => {
    const places = (await store.places.list()).map((p) => ({ name: p.name, path: p.path, sha256: p._id }));
    console.log(json ? JSON.stringify(places, null, 2) : places.map((p) => `${p.name}  ${p.path}`).join('\n') || 'no known places');
  });
}

export async function tokenCommand(cfg: Config, sub: string | undefined, opts: { name?: string; role?: string; reason?: string; cases?: string[]; json: boolean }): Promise<void> {
  await withStore(cfg, async (store) => {
    if (sub === 'create' && opts.name && opts.role && (ROLES as readonly string[]).includes(opts.role)) {
      const token = await store.tokens.create(opts.name, opts.role as Role, opts.cases ? { cases: opts.cases } : {});
      await store.audit.write({ actor: actor(), action: 'token-create', target: opts.name, detail: { role: opts.role, ...(opts.cases ? { cases: opts.cases } : {}) } });
      console.log(opts.json ? JSON.stringify({ name: opts.name, role: opts.role, ...(opts.cases ? { cases: opts.cases } : {}), token }) : `${token}\n(shown once: only its hash is stored)`);
    } else if (sub === 'revoke' && opts.name && opts.reason && opts.reason.trim().length >= 3) {
      const n = await store.tokens.revoke(opts.name, opts.reason.trim());
      await store.audit.write({ actor: actor(), action: 'token-revoke', target: opts.name, detail: { revoked: n, reason: opts.reason.trim() } });
      console.log(`revoked ${n} token(s) of ${opts.name}`);
    } else if (sub === 'list') {
      const tokens = await store.tokens.list();
      console.log(opts.json ? JSON.stringify(tokens, null, 2) : tokens.map((t) => `${t.name.padEnd(20)} ${t.role.padEnd(9)} ${t.revokedAt ? 'revoked' : 'active'}${t.cases ? `  cases ${t.cases.join(', ')}` : ''}`).join('\n') || 'no tokens');
    } else {
      throw new Error(`usage: clues token create --name NAME --role ${ROLES.join('|')} | token revoke --name NAME --reason WHY | token list [--json]`);
    }
  });
}

export async function hashesCommand(cfg: Config, sub: string | undefined, file: string | undefined, opts: { name?: string; format?: string; json: boolean }): Promise<void> {
  await withStore(cfg, async (store) => {
    if (sub === 'import' && file && opts.name) {
      const text = await readFile(resolve(file), 'utf8');
      const format = opts.format === 'csv' || (!opts.format && /\.csv$/i.test(file)) ? 'csv' : 'vics';
      const { doc, rejected } = format === 'csv' ? parseHashCsv(text) : parseVics(text);
      const set = await store.hashSets.import(opts.name, format, doc, rejected);
      await store.audit.write({ actor: actor(), action: 'hashset-import', target: set.name, detail: { file: resolve(file), count: set.count, rejected } });
      const claim = set.declaredTotal !== undefined && set.declaredTotal !== set.count ? ` (the file claims ${set.declaredTotal})` : '';
      console.log(`imported ${set.count} hashes into "${set.name}"${claim}; ${rejected} entries without a valid MD5 or SHA-1 skipped`);
    } else if (sub === 'list') {
      const sets = await store.hashSets.list();
      console.log(opts.json ? JSON.stringify(sets, null, 2) : sets.map((s) => `${s.name.padEnd(24)} ${String(s.count).padStart(8)} ${s.format}`).join('\n') || 'no hash sets');
    } else {
      throw new Error('usage: clues hashes import <file.json|file.csv> --name NAME [--format vics|csv] | hashes list [--json]');
    }
  });
}

export async function exportCommand(cfg: Config, what: string | undefined, opts: { caseId?: string; out?: string }): Promise<void> {
  if (what !== 'vics' || !opts.caseId) throw new Error('usage: clues export vics --case ID [--out FILE]');
  await withStore(cfg, async (store) => {
    const { json, count } = await exportCaseVics(store, opts.caseId!);
    await store.audit.write({ actor: actor(), action: 'export-vics', target: opts.caseId!, detail: { count, ...(opts.out ? { out: resolve(opts.out) } : {}) } });
    if (opts.out) {
      await writeFile(resolve(opts.out), json);
      console.error(`wrote ${count} media of case ${opts.caseId} to ${resolve(opts.out)}`);
    } else {
      console.log(json);
    }
  });
}

/** Every failed, partial and skipped file of a run, as the store keeps them. */
async function allRunItems(store: Store, runId: string): Promise<Record<RunItemKind, { path: string; reason: string }[]>> {
  const out = { failed: [], partial: [], skipped: [] } as Record<RunItemKind, { path: string; reason: string }[]>;
  for (const kind of RUN_ITEM_KINDS) for await (const i of store.runItems.all(runId, kind)) out[kind].push({ path: i.path, reason: i.reason });
  return out;
}

function formatStatus(runId: string, s: BatchStatus): string {
  const eta = s.etaSeconds !== undefined ? `, eta ${s.etaSeconds}s` : '';
  const state = s.cancelled ? ' (cancelled)' : s.paused ? ' (paused)' : '';
  return `${runId}${state}: found ${s.found}${s.total !== undefined ? ` of ${s.total}` : ''}, done ${s.done}, partial ${s.partial ?? 0}, skipped ${s.skipped}, failed ${s.failed}, in flight ${s.inFlight}; ${s.imagesPerHour} images/hour${eta}`;
}

/** `clues run <dir|manifest>`: starts a batch and follows it; `clues run status|pause|resume|cancel <id>`. */
export async function runCommand(cfg: Config, args: string[], opts: { caseId?: string; concurrency?: number; json: boolean; detach: boolean }): Promise<number> {
  const client = await connect(cfg);
  try {
    const [first, id] = args;
    if (first === 'failures') {
      if (!id || args.length !== 2) throw new UserError('usage: clues run failures <run-id> [--json]');
      const items = await withStore(cfg, (store) => allRunItems(store, id));
      if (opts.json) console.log(JSON.stringify({ runId: id, ...items }, null, 2));
      else for (const kind of RUN_ITEM_KINDS) for (const i of items[kind]) console.log(`${kind.padEnd(8)} ${i.path}: ${i.reason}`);
      return 0;
    }
    if (first && ['status', 'pause', 'resume', 'cancel'].includes(first)) {
      if (!id) throw new UserError(`usage: clues run ${first} <run-id>`);
      if (first !== 'status') await signalRun(client, id, first as 'pause' | 'resume' | 'cancel');
      const s = await runStatus(client, id);
      console.log(opts.json ? JSON.stringify({ runId: id, ...s }, null, 2) : formatStatus(id, s));
      return 0;
    }
    if (!first || args.length !== 1) throw new UserError('usage: clues run <dir|manifest> [--case ID] [--concurrency N] [--detach] | clues run status|pause|resume|cancel <run-id>');
    await stat(resolve(first)).catch((err: unknown) => {
      throw pathError(first, err);
    });
    const runId = await startRun(client, cfg.taskQueues.io, first, { ...(opts.caseId ? { caseId: opts.caseId } : {}), ...(opts.concurrency ? { concurrency: opts.concurrency } : {}) });
    await withStore(cfg, (store) => store.audit.write({ actor: actor(), action: 'run-start', target: runId, detail: { source: resolve(first) } }));
    console.error(`started ${runId} (pause, resume, cancel or check it with: clues run pause|resume|cancel|status ${runId})`);
    if (opts.detach) {
      console.log(runId);
      return 0;
    }
    const bar = opts.json ? { update: () => undefined, end: () => undefined } : progressBar();
    const r = await waitForRun(client, runId, {
      onStatus: (s) => bar.update({ total: s.total ?? s.found, done: s.done + (s.partial ?? 0) + s.skipped + s.failed, processed: s.done, failed: s.failed, duplicates: s.skipped }),
      onOutage: (err) =>
        console.error(err ? `\nTemporal does not answer (${failureReason(err)}); waiting for it (the run goes on once it is back)` : 'Temporal answers again'),
    });
    bar.end();
    // Every failure, partial image and skip, from the store (the run's own state keeps the newest).
    const items = await withStore(cfg, (store) => allRunItems(store, runId)).catch(() => null);
    const report = { runId, ...r, partial: r.partial ?? 0, ...(items ? { failures: items.failed, partials: items.partial, skips: items.skipped } : {}) };
    if (opts.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(`${runId}: found ${r.found}, done ${r.done}, partial ${r.partial ?? 0}, skipped ${r.skipped}, failed ${r.failed}`);
      for (const f of report.failures) console.log(`  failed   ${f.path}: ${f.reason}`);
      for (const f of report.partials ?? []) console.log(`  partial  ${f.path}: ${f.reason}`);
      for (const k of report.skips) console.log(`  skipped  ${k.path}: ${k.reason}`);
    }
    return r.failed > 0 || (r.partial ?? 0) > 0 ? 3 : 0;
  } finally {
    await client.connection.close();
  }
}

export async function runsCommand(cfg: Config, json: boolean): Promise<void> {
  const client = await connect(cfg);
  try {
    const runs = await listRuns(client);
    console.log(json ? JSON.stringify(runs, null, 2) : runs.map((r) => `${r.runId}  ${r.status.padEnd(10)} ${r.startTime?.toISOString() ?? ''}`).join('\n') || 'no runs');
  } finally {
    await client.connection.close();
  }
}

/** `clues schedule add <dir> --cron EXPR [--case ID]`, `schedule list`, `schedule delete <id>`. */
export async function scheduleCommand(cfg: Config, args: string[], opts: { cron?: string; caseId?: string; json: boolean }): Promise<void> {
  const client = await connect(cfg);
  try {
    const [sub, arg] = args;
    if (sub === 'add' && arg && opts.cron) {
      const id = await addSchedule(client, cfg.taskQueues.io, arg, opts.cron, opts.caseId);
      await withStore(cfg, (store) => store.audit.write({ actor: actor(), action: 'schedule-add', target: id, detail: { folder: resolve(arg), cron: opts.cron } }));
      console.log(`${id}: runs "${opts.cron}" over ${resolve(arg)}; each run processes only new images`);
    } else if (sub === 'list') {
      const list = await listSchedules(client);
      console.log(opts.json ? JSON.stringify(list, null, 2) : list.map((s) => `${s.scheduleId}  ${s.cron.join(' ')}  ${s.folder ?? ''}  next ${s.nextRun?.toISOString() ?? '-'}`).join('\n') || 'no schedules');
    } else if (sub === 'delete' && arg) {
      await deleteSchedule(client, arg);
      await withStore(cfg, (store) => store.audit.write({ actor: actor(), action: 'schedule-delete', target: arg }));
      console.log(`deleted ${arg}`);
    } else {
      throw new Error('usage: clues schedule add <dir> --cron "0 22 * * *" [--case ID] | schedule list [--json] | schedule delete <id>');
    }
  } finally {
    await client.connection.close();
  }
}

import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunSummary } from '../core/api-types';
import { batchStatus, DEFAULT_RUN_CONCURRENCY, type BatchInput, type BatchProgress, type BatchStatus } from '../core/batch';
import type { processBatch } from '../workflows';

export type { RunSummary } from '../core/api-types';

/** Starts a batch over a folder or a manifest file; the run id names it in every later call. */
export async function startRun(client: Client, taskQueue: string, source: string, opts: { caseId?: string; concurrency?: number; pageSize?: number }): Promise<string> {
  const path = resolve(source);
  const kind = (await stat(path)).isDirectory() ? 'folder' : 'manifest';
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..+/, '');
  const runId = `run-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
  const input: BatchInput = {
    runId,
    source: { kind, path },
    concurrency: opts.concurrency ?? DEFAULT_RUN_CONCURRENCY,
    pageSize: opts.pageSize ?? 100,
    ...(opts.caseId ? { caseId: opts.caseId } : {}),
  };
  await client.workflow.start<typeof processBatch>('processBatch', { workflowId: runId, taskQueue, args: [input] });
  return runId;
}

export function runStatus(client: Client, runId: string): Promise<BatchStatus> {
  return client.workflow.getHandle(runId).query<BatchStatus>('progress');
}

/**
 * A listed run's progress without hanging: a finished run answers from its result in the history
 * (no worker needed); a running one is queried, which needs a live worker, so only briefly.
 */
export async function runProgress(client: Client, run: RunSummary, queryTimeoutMs = 3000): Promise<BatchStatus | null> {
  const handle = client.workflow.getHandle(run.runId);
  try {
    if (run.status === 'COMPLETED') return batchStatus((await handle.result()) as BatchProgress, run.closeTime?.getTime() ?? Date.now());
    if (run.status !== 'RUNNING') return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), queryTimeoutMs)));
    return await Promise.race([handle.query<BatchStatus>('progress'), timeout]).finally(() => clearTimeout(timer));
  } catch {
    return null;
  }
}

export async function signalRun(client: Client, runId: string, signal: 'pause' | 'resume' | 'cancel'): Promise<void> {
  await client.workflow.getHandle(runId).signal(signal);
}

export async function listRuns(client: Client, limit = 50): Promise<RunSummary[]> {
  const out: RunSummary[] = [];
  for await (const w of client.workflow.list({ query: "WorkflowType = 'processBatch'" })) {
    // continue-as-new shows one entry per run of the same id: keep the newest.
    if (out.some((r) => r.runId === w.workflowId)) continue;
    out.push({ runId: w.workflowId, status: w.status.name, startTime: w.startTime, ...(w.closeTime ? { closeTime: w.closeTime } : {}) });
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * The run's final progress, however long it takes and whatever happens to Temporal meanwhile: a
 * Temporal server that is down or restarting (minutes, in an outage) is waited for, asking again
 * every few seconds; only the run's own failure, or its absence, ends the wait with an error.
 * `onStatus` gets the progress about once a second while the run goes on; `onOutage` is told
 * when Temporal stops answering (with the error) and when it answers again (with null).
 */
export async function waitForRun(
  client: Client,
  runId: string,
  opts: { onStatus?: (s: BatchStatus) => void; onOutage?: (err: unknown | null) => void; pollMs?: number; retryMs?: number } = {},
): Promise<BatchProgress> {
  const handle = client.workflow.getHandle(runId);
  type Settled = { ok: BatchProgress } | { err: unknown };
  const ask = (): Promise<Settled> => (handle.result() as Promise<BatchProgress>).then((ok) => ({ ok }), (err: unknown) => ({ err }));
  let result = ask();
  let down = false;
  const outage = (err: unknown | null) => {
    if (down === (err !== null)) return;
    down = err !== null;
    opts.onOutage?.(err);
  };
  for (;;) {
    const settled = await Promise.race([result, sleep(opts.pollMs ?? 1000).then(() => null)]);
    if (settled && 'ok' in settled) return settled.ok;
    if (settled) {
      if (settled.err instanceof WorkflowFailedError || settled.err instanceof WorkflowNotFoundError) throw settled.err;
      outage(settled.err);
      await sleep(opts.retryMs ?? 5000);
      result = ask();
      continue;
    }
    const status = await runStatus(client, runId).catch(() => undefined);
    if (status) {
      outage(null);
      opts.onStatus?.(status);
    }
  }
}

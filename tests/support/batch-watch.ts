import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { BatchStatus } from '../../core/batch';
import type { Store } from '../../store';

// What the reliability and outage tests assert about a running batch: where it stood when the
// fault came (never a silent give-up), that retries happened, and what it left in the store.

/** The batch's progress once `ready` holds; throws with the last progress seen after `timeoutMs`. */
export async function untilProgress(client: Client, runId: string, ready: (s: BatchStatus) => boolean, timeoutMs = 180_000): Promise<BatchStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: BatchStatus | undefined;
  while (Date.now() < deadline) {
    last = (await client.workflow.getHandle(runId).query<BatchStatus>('progress').catch(() => undefined)) ?? last;
    if (last && ready(last)) return last;
    await sleep(200);
  }
  throw new Error(`batch ${runId} did not reach the state waited for within ${timeoutMs / 1000}s; last progress: ${JSON.stringify(last)}`);
}

/** Waits for `check` to hold, polling; throws with `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
}

/**
 * Work done again, from these workflows' histories: attempts beyond the first (by activity),
 * activities that timed out or failed for good (a workflow then runs them anew, e.g. on another
 * worker's queue), and how often each activity was scheduled (a stage that failed inside the
 * grouped runStages is scheduled again on its own).
 */
export async function activityRetries(client: Client, workflowIds: string[]): Promise<{ retried: number; byActivity: Record<string, number>; timedOut: number; failed: number; scheduled: Record<string, number> }> {
  const byActivity: Record<string, number> = {};
  const scheduled: Record<string, number> = {};
  let retried = 0;
  let timedOut = 0;
  let failed = 0;
  for (const id of workflowIds) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const types = new Map<string, string>();
    for (const e of events) {
      if (e.activityTaskScheduledEventAttributes) {
        const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? '?';
        types.set(String(e.eventId), name);
        scheduled[name] = (scheduled[name] ?? 0) + 1;
      }
      const started = e.activityTaskStartedEventAttributes;
      if (started && (started.attempt ?? 1) > 1) {
        const name = types.get(String(started.scheduledEventId)) ?? '?';
        byActivity[name] = (byActivity[name] ?? 0) + (started.attempt! - 1);
        retried += started.attempt! - 1;
      }
      if (e.activityTaskTimedOutEventAttributes) timedOut++;
      if (e.activityTaskFailedEventAttributes) failed++;
    }
  }
  return { retried, byActivity, timedOut, failed, scheduled };
}

/** The worker's activities, each counting the calls that threw (by activity name) into `failures`. */
export function countingFailures<A extends object>(acts: A, failures: Record<string, number>): A {
  return Object.fromEntries(
    Object.entries(acts).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        try {
          return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        } catch (err) {
          failures[name] = (failures[name] ?? 0) + 1;
          throw err;
        }
      },
    ]),
  ) as A;
}

/** Each image's clues, as comparable lines (stage, type, value, box), sorted. */
export async function clueLines(store: Store, shas: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const sha of shas) {
    out[sha] = (await store.images.cluesOf(sha)).map((c) => `${c.stage}|${c.type}|${c.value}|${JSON.stringify(c.box ?? null)}`).sort();
  }
  return out;
}

/** Ends a batch a failed test left running (a running batch without workers slows `GET /api/runs`). */
export async function terminateIfRunning(client: Client, runId: string): Promise<void> {
  const d = await client.workflow.getHandle(runId).describe().catch(() => null);
  if (d?.status.name === 'RUNNING') await client.workflow.getHandle(runId).terminate('the test ended').catch(() => undefined);
}

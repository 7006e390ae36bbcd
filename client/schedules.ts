import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { DEFAULT_RUN_CONCURRENCY, type BatchInput } from '../core/batch';

export interface ScheduleSummary {
  scheduleId: string;
  cron: string[];
  folder?: string;
  paused: boolean;
  nextRun?: Date;
}

/**
 * A nightly (or any cron) batch over a watched folder. Each run lists the folder afresh and the
 * store skips what is already processed, so only new images are worked on.
 */
export async function addSchedule(client: Client, taskQueue: string, folder: string, cron: string, caseId?: string): Promise<string> {
  const path = resolve(folder);
  const scheduleId = `watch-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(-60)}`;
  const input: BatchInput = { runId: '', source: { kind: 'folder', path }, concurrency: DEFAULT_RUN_CONCURRENCY, pageSize: 100, ...(caseId ? { caseId } : {}) };
  await client.schedule.create({
    scheduleId,
    spec: { cronExpressions: [cron] },
    action: { type: 'startWorkflow', workflowType: 'processBatch', taskQueue, args: [input] },
    // A night's run still going when the next is due: skip the next rather than run two at once.
    policies: { overlap: 'SKIP', catchupWindow: '1 hour' },
    // The server keeps cron as calendars; the memo keeps what the user wrote.
    memo: { folder: path, cron },
  });
  return scheduleId;
}

export async function listSchedules(client: Client): Promise<ScheduleSummary[]> {
  const out: ScheduleSummary[] = [];
  for await (const s of client.schedule.list()) {
    const d = await client.schedule.getHandle(s.scheduleId).describe();
    out.push({
      scheduleId: s.scheduleId,
      cron: typeof d.memo?.cron === 'string' ? [d.memo.cron] : [],
      paused: d.state.paused,
      ...(typeof d.memo?.folder === 'string' ? { folder: d.memo.folder } : {}),
      ...(d.info.nextActionTimes[0] ? { nextRun: d.info.nextActionTimes[0] } : {}),
    });
  }
  return out;
}

export async function deleteSchedule(client: Client, scheduleId: string): Promise<void> {
  await client.schedule.getHandle(scheduleId).delete();
}

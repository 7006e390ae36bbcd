import {
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type * as activities from '../activities';
import { failureReason } from '../core/failures';
import { batchStatus, type BatchInput, type BatchPage, type BatchProgress, type BatchStatus, type RunItem } from '../core/batch';
import type { ProcessImageResult, StageName } from '../core/clues';
import { processImage } from './process-image';

type Activities = activities.WorkerActivities;

const { listImagesPage, recordRunItems } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  // 20 attempts a minute apart at most: a database outage of 15 minutes is waited out.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

export const progressQuery = defineQuery<BatchStatus>('progress');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const cancelSignal = defineSignal('cancel');

/** Reasons kept in the workflow's state (every one is in the store); the counts stay exact beyond it. */
const MAX_REASONS = 100;
/** Marks histories of batches that keep every failure, partial image and skip in the store. */
export const RUN_ITEMS = 'run-items';
/** Pages per run before continue-as-new keeps the history small at any size. */
const PAGES_PER_RUN = 20;

/**
 * A whole seizure: lists the images page by page (in an activity), runs one child processImage
 * per image with bounded concurrency, and answers `progress` at any time. Pause stops new
 * images; cancel finishes those in flight and stops. At the end, found = done + skipped + failed.
 */
export async function processBatch(input: BatchInput): Promise<BatchProgress> {
  const p: BatchProgress = input.progress ?? {
    found: 0, done: 0, partial: 0, skipped: 0, failed: 0, inFlight: 0, failures: [], partials: [], skips: [], startedAt: Date.now(), paused: false, cancelled: false,
  };
  p.partial ??= 0; // a run carried over from before partial images were counted
  p.partials ??= [];
  const note = (list: { path: string; reason: string }[], path: string, reason: string) => {
    list.push({ path, reason });
    if (list.length > MAX_REASONS) list.shift();
  };
  setHandler(progressQuery, () => batchStatus(p, Date.now()));
  setHandler(pauseSignal, () => void (p.paused = true));
  setHandler(resumeSignal, () => void (p.paused = false));
  setHandler(cancelSignal, () => void (p.cancelled = true));

  const { taskQueue, workflowId, firstExecutionRunId } = workflowInfo();
  // A scheduled run has fixed arguments and an id made of the schedule's and the time to the
  // second, which two triggers in one second share: the execution chain's first run id (kept
  // across continue-as-new) makes its listing its own.
  const runId = input.runId || `${workflowId}-${firstExecutionRunId}`;
  // Every item is kept in the store under the id clients know the run by (the workflow id).
  const keepAll = patched(RUN_ITEMS);
  const record = async (items: RunItem[]) => {
    if (!keepAll || items.length === 0) return;
    try {
      await recordRunItems({ run: workflowId, items });
    } catch {
      // The store was out of reach for longer than the policy waits: the counts and the newest
      // reasons above still say it.
    }
  };
  let offset: number | null = input.offset ?? 0;
  let pages = 0;
  while (offset !== null && !p.cancelled) {
    await condition(() => !p.paused || p.cancelled);
    if (p.cancelled) break;
    const page: BatchPage = await listImagesPage({ runId, source: input.source, offset, pageSize: input.pageSize, ...(input.caseId ? { caseId: input.caseId } : {}) });
    p.total = page.total;
    const first = offset; // one item per listed entry: the page's items are places first, first + 1...
    await record(page.items.flatMap((i, k): RunItem[] => (i.kind === 'image' ? [] : [{ kind: i.kind, path: i.path, reason: i.reason, n: first + k }])));
    for (const [k, item] of page.items.entries()) {
      const n = first + k;
      p.found++;
      if (item.kind === 'skipped') {
        p.skipped++;
        note(p.skips, item.path, item.reason);
        continue;
      }
      if (item.kind === 'failed') {
        p.failed++;
        note(p.failures, item.path, item.reason);
        continue;
      }
      await condition(() => (p.inFlight < input.concurrency && !p.paused) || p.cancelled);
      if (p.cancelled) {
        p.found--; // listed but never started: the next run (or a resume) lists it again
        break;
      }
      p.inFlight++;
      void (async () => {
        let outcome: RunItem | undefined;
        try {
          const child = await startChild(processImage, {
            workflowId: `image-${item.sha256}`,
            taskQueue,
            args: [{ path: item.path, sha256: item.sha256, ...(input.caseId ? { caseId: input.caseId } : {}), ...(item.only ? { only: item.only } : {}) }],
            workflowIdReusePolicy: 'ALLOW_DUPLICATE',
            // Images in flight finish even when the batch continues as new or is cancelled.
            parentClosePolicy: ParentClosePolicy.ABANDON,
          });
          const result = await child.result();
          const failedStages = failedStagesOf(result);
          if (failedStages) {
            // Its other clues are saved; a later run does the failed stages again.
            p.partial!++;
            note(p.partials!, item.path, failedStages);
            outcome = { kind: 'partial', path: item.path, reason: failedStages, n };
          } else {
            p.done++;
          }
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) {
            p.skipped++;
            note(p.skips, item.path, 'same image already in progress');
            outcome = { kind: 'skipped', path: item.path, reason: 'same image already in progress', n };
          } else {
            p.failed++;
            const reason = err instanceof ChildWorkflowFailure ? failureReason(err.cause) : failureReason(err);
            note(p.failures, item.path, reason);
            outcome = { kind: 'failed', path: item.path, reason, n };
          }
        }
        try {
          if (outcome) await record([outcome]);
        } finally {
          p.inFlight--;
        }
      })();
    }
    offset = p.cancelled ? null : page.nextOffset;
    if (offset !== null && ++pages >= (input.pagesPerRun ?? PAGES_PER_RUN)) {
      await condition(() => p.inFlight === 0);
      await continueAsNew<typeof processBatch>({ ...input, runId, offset, progress: p });
    }
  }
  await condition(() => p.inFlight === 0);
  return p;
}

/** `ocr: reason; places: reason` for an image whose stages failed (not those merely unavailable), or null. */
function failedStagesOf(r: ProcessImageResult): string | null {
  const failed = Object.entries(r.stages).filter(([, status]) => status === 'failed');
  if (failed.length === 0) return null;
  return `stages failed: ${failed.map(([stage]) => `${stage}${r.reasons?.[stage as StageName] ? ` (${r.reasons[stage as StageName]})` : ''}`).join('; ')}`;
}

import {
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type * as activities from '../activities';
import { failureReason } from '../core/failures';
import { batchStatus, type BatchInput, type BatchPage, type BatchProgress, type BatchStatus } from '../core/batch';
import { processImage } from './process-image';

type Activities = activities.WorkerActivities;

const { listImagesPage } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export const progressQuery = defineQuery<BatchStatus>('progress');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const cancelSignal = defineSignal('cancel');

/** Reasons kept in the workflow's state; the counts stay exact beyond it. */
const MAX_REASONS = 100;
/** Pages per run before continue-as-new keeps the history small at any size. */
const PAGES_PER_RUN = 20;

/**
 * A whole seizure: lists the images page by page (in an activity), runs one child processImage
 * per image with bounded concurrency, and answers `progress` at any time. Pause stops new
 * images; cancel finishes those in flight and stops. At the end, found = done + skipped + failed.
 */
export async function processBatch(input: BatchInput): Promise<BatchProgress> {
  const p: BatchProgress = input.progress ?? {
    found: 0, done: 0, skipped: 0, failed: 0, inFlight: 0, failures: [], skips: [], startedAt: Date.now(), paused: false, cancelled: false,
  };
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
  let offset: number | null = input.offset ?? 0;
  let pages = 0;
  while (offset !== null && !p.cancelled) {
    await condition(() => !p.paused || p.cancelled);
    if (p.cancelled) break;
    const page: BatchPage = await listImagesPage({ runId, source: input.source, offset, pageSize: input.pageSize, ...(input.caseId ? { caseId: input.caseId } : {}) });
    p.total = page.total;
    for (const item of page.items) {
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
        try {
          const child = await startChild(processImage, {
            workflowId: `image-${item.sha256}`,
            taskQueue,
            args: [{ path: item.path, sha256: item.sha256, ...(input.caseId ? { caseId: input.caseId } : {}), ...(item.only ? { only: item.only } : {}) }],
            workflowIdReusePolicy: 'ALLOW_DUPLICATE',
            // Images in flight finish even when the batch continues as new or is cancelled.
            parentClosePolicy: ParentClosePolicy.ABANDON,
          });
          await child.result();
          p.done++;
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) {
            p.skipped++;
            note(p.skips, item.path, 'same image already in progress');
          } else {
            p.failed++;
            note(p.failures, item.path, err instanceof ChildWorkflowFailure ? failureReason(err.cause) : failureReason(err));
          }
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

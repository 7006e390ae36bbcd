import type { ActivityOptions } from '@temporalio/workflow';
import { INVALID_IMAGE, type StageName, type StageOutcome } from '../core/clues';
import { failureReason } from '../core/failures';

// What every version of processImage shares: its retry policies, its CPU queue options, and
// turning one extractor's failure into that stage's recorded outcome.

/**
 * Every policy is written out: the SDK's default retries forever. Invalid images fail at once
 * (non-retryable from the activity); transient faults (a busy DB, a stalled mount) back off.
 * 40 attempts, 30 s apart at most, wait out a database outage of over 15 minutes; an error that
 * is not an outage is final after 5 attempts, 3 on the CPU queues (activities/outages.ts), as it
 * was before.
 */
export const retry: ActivityOptions['retry'] = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  maximumAttempts: 40,
  nonRetryableErrorTypes: [INVALID_IMAGE],
};

/** Model inference on a CPU queue: waiting in it during a big overnight run is normal. */
export const cpuOptions = (taskQueue: string): ActivityOptions => ({
  taskQueue,
  startToCloseTimeout: '10 minutes',
  scheduleToCloseTimeout: '24 hours',
  heartbeatTimeout: '30 seconds',
  retry,
});

/** Light stages and saving, on the workflow's own queue (30 minutes: a 10-minute outage and more). */
export const ioOptions: ActivityOptions = { startToCloseTimeout: '1 minute', scheduleToCloseTimeout: '30 minutes', retry };

/** One extractor's failure becomes that stage's recorded outcome; the others carry on. */
export async function stage(name: StageName, run: () => Promise<StageOutcome>): Promise<StageOutcome> {
  try {
    return await run();
  } catch (err) {
    return { stage: name, status: 'failed', reason: failureReason(err), clues: [] };
  }
}

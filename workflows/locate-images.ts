import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities';
import { failureReason } from '../core/failures';

type Activities = activities.WorkerActivities;

const io = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 40 }, // waits out a database outage (workflows/policies.ts)
});

/**
 * Weighs again where and when images were taken, after what they hold changed (a crowd answer
 * accepted, a tip found useful, an outcome set, an analyst's tag, a known place matched).
 */
export async function locateImages(input: { sha256s: string[] }): Promise<{ located: number; failed: { sha256: string; reason: string }[] }> {
  let located = 0;
  const failed: { sha256: string; reason: string }[] = [];
  for (const sha256 of input.sha256s) {
    try {
      await io.locateImage({ sha256 });
      located++;
    } catch (err) {
      failed.push({ sha256, reason: failureReason(err) });
    }
  }
  return { located, failed };
}

/** Where and when for the series an image belongs to (computed on a worker, where the weights live). */
export async function locateSeries(input: { sha256: string; minStrength: number }) {
  return io.locateSeries(input);
}

import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';
import { INVALID_IMAGE } from '../core/clues';

type Activities = activities.WorkerActivities;

// Interactive queries from the API: short timeouts, few retries (an analyst is waiting).
function cpu() {
  return proxyActivities<Activities>({
    taskQueue: `${workflowInfo().taskQueue}-cpu`,
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: '5 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumAttempts: 2, nonRetryableErrorTypes: [INVALID_IMAGE] },
  });
}

/** Images like an uploaded image or crop, in tiers, with reasons. */
export async function similarImages(input: { path: string; limit: number; caseId?: string }) {
  return cpu().findSimilarImages(input);
}

/** Images with the person whose face is in an uploaded photo (searched in the worker: no descriptor in history). */
export async function faceSearch(input: import('../usecases/faces').FaceQueryInput) {
  return cpu().findFaces(input);
}

/** A new known place; stored images that show it gain a location clue. */
export async function addKnownPlace(input: { path: string; name: string }) {
  return cpu().addPlace(input);
}

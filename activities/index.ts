import type { StageName } from '../core/clues';
import { specOf, STAGES, type STAGE_REGISTRY } from '../core/stages';
import type { ActivityDeps } from './deps';
import { extractFrames } from './extract-frames';
import { findFaces } from './find-faces';
import { listImagesPage } from './list-images';
import { loadImage } from './load-image';
import { locateSeries } from './locate-series';
import { prepareImage } from './prepare-image';
import { addPlace, findSimilarImages } from './query-images';
import { runStages } from './run-stages';
import { withOutageRetries } from './outages';
import { recordFailure, recordRunItems, saveClues } from './save-clues';
import { stageActivity, type StageInput } from './stage';
import { STAGE_DEFINITIONS } from './stage-definitions';
import { stageModels } from './stage-models';
import type { StageOutcome } from '../core/clues';

export type { ActivityDeps } from './deps';

/** The activity names of the stages (recorded in workflow histories). */
export type StageActivityName = (typeof STAGE_REGISTRY)[StageName]['activity'];
export type StageActivityFn = (input: StageInput) => Promise<StageOutcome>;

/** Every stage's activity, built from its definition and registry entry. */
function stageActivities(deps: ActivityDeps): Record<StageActivityName, StageActivityFn> {
  return Object.fromEntries(STAGES.map((s) => [specOf(s).activity, stageActivity(s, STAGE_DEFINITIONS[s], deps)])) as Record<StageActivityName, StageActivityFn>;
}

/**
 * The worker is the one place that builds real dependencies; tests pass their own. Every activity
 * waits out a database outage (activities/outages.ts).
 */
export function createActivities(deps: ActivityDeps) {
  const { store, engine, blobs, index, ownQueue, maxFrames = 16 } = deps;
  return withOutageRetries({
    ...stageActivities(deps),
    prepareImage: prepareImage(engine, blobs, ownQueue),
    extractFrames: extractFrames(engine, blobs, maxFrames),
    loadImage: loadImage(engine, blobs),
    findSimilarImages: findSimilarImages({ store, engine, blobs, index }),
    addPlace: addPlace({ store, engine, blobs, index }),
    findFaces: findFaces({ store, engine, blobs }),
    listImagesPage: listImagesPage(store, blobs, stageModels(engine.models)),
    saveClues: saveClues(store),
    locateSeries: locateSeries(store),
    recordFailure: recordFailure(store),
    recordRunItems: recordRunItems(store),
  });
}

/**
 * What a worker registers: the activities, and runStages over those very functions (so a test's
 * stand-in for one stage is what runStages calls too).
 */
export function withRunStages<A extends ReturnType<typeof createActivities>>(acts: A) {
  return { ...acts, runStages: runStages(acts) };
}

export type WorkerActivities = ReturnType<typeof withRunStages>;

import type { ImageEngine } from '../engine/image-engine';
import type { Store } from '../store';
import type { BlobStore } from '../storage/blob-store';
import { classifyScene } from './classify-scene';
import { describeImage } from './describe-image';
import { detectFaces } from './detect-faces';
import { detectObjects } from './detect-objects';
import { hashImage } from './hash-image';
import { listImagesPage } from './list-images';
import { extractFrames } from './extract-frames';
import { loadImage } from './load-image';
import { locateImage } from './locate-image';
import { locateSeries } from './locate-series';
import { prepareImage } from './prepare-image';
import { matchPlaces } from './match-places';
import { addPlace, findSimilarImages } from './query-images';
import { readMetadata } from './read-metadata';
import { readText } from './read-text';
import { withOutageRetries } from './outages';
import { recordFailure, recordRunItems, saveClues } from './save-clues';
import { runStages } from './run-stages';
import { stageModels } from './stage-models';

export interface ActivityDeps {
  store: Store;
  /** This worker's own CPU task queue: the image's stages come back to the engine that decoded it. */
  ownQueue: string;
  /** Frames of one multi-page file processed as images (CLUES_MAX_FRAMES). */
  maxFrames?: number;
  /** Every decoder and model, in a process of its own (engine/engine-process.ts). */
  engine: ImageEngine;
  /** Shared storage: crops, keypoint files, run listings; uploaded query images are read from it. */
  blobs: BlobStore;
}

/**
 * The worker is the one place that builds real dependencies; tests pass their own. Every activity
 * waits out a database outage (activities/outages.ts).
 */
export function createActivities({ store, engine, blobs, ownQueue, maxFrames = 16 }: ActivityDeps) {
  return withOutageRetries({
    hashImage: hashImage(engine, blobs),
    readMetadata: readMetadata(blobs),
    detectObjects: detectObjects(engine, blobs),
    readText: readText(engine, blobs),
    describeImage: describeImage(engine, blobs),
    detectFaces: detectFaces(engine, blobs),
    classifyScene: classifyScene(engine, blobs),
    matchPlaces: matchPlaces(store, engine, blobs),
    locateImage: locateImage(store),
    prepareImage: prepareImage(engine, blobs, ownQueue),
    extractFrames: extractFrames(engine, blobs, maxFrames),
    loadImage: loadImage(engine, blobs),
    findSimilarImages: findSimilarImages({ store, engine, blobs }),
    addPlace: addPlace({ store, engine, blobs }),
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

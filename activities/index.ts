import { stageModels } from './stage-models';
import type { Models } from '../models/registry';
import type { MongoClueStore } from '../store/clue-store';
import type { BlobStore } from '../storage/blob-store';
import { classifyScene } from './classify-scene';
import { describeImage } from './describe-image';
import { detectObjects } from './detect-objects';
import { hashImage } from './hash-image';
import { listImagesPage } from './list-images';
import { loadImage } from './load-image';
import { matchPlaces } from './match-places';
import { addPlace, findSimilarImages } from './query-images';
import { readMetadata } from './read-metadata';
import { readText } from './read-text';
import { recordFailure, saveClues } from './save-clues';

export interface ActivityDeps {
  store: MongoClueStore;
  models: Omit<Models, 'close'>;
  maxPixels: number;
  /** Shared storage: crops, keypoint files, run listings; uploaded query images are read from it. */
  blobs: BlobStore;
}

/** The worker is the one place that builds real dependencies; tests pass their own. */
export function createActivities({ store, models, maxPixels, blobs }: ActivityDeps) {
  return {
    loadImage: loadImage(maxPixels, blobs),
    hashImage: hashImage(maxPixels, blobs),
    readMetadata: readMetadata(blobs),
    detectObjects: detectObjects(models.detector, maxPixels, blobs),
    readText: readText(models.textReaders, maxPixels, blobs),
    describeImage: describeImage(models.embedder, models.matcher, maxPixels, blobs),
    classifyScene: classifyScene(models.scene, maxPixels, blobs),
    matchPlaces: matchPlaces(store, models.matcher, blobs),
    findSimilarImages: findSimilarImages({ store, models, blobs, maxPixels }),
    addPlace: addPlace({ store, models, blobs, maxPixels }),
    listImagesPage: listImagesPage(store, blobs, stageModels(models)),
    saveClues: saveClues(store),
    recordFailure: recordFailure(store),
  };
}

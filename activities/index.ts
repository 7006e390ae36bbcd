import { stageModels } from './stage-models';
import type { Models } from '../models/registry';
import type { MongoClueStore } from '../store/clue-store';
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
  /** The data folder: crops and local-feature files are written under it. */
  dataDir: string;
}

/** The worker is the one place that builds real dependencies; tests pass their own. */
export function createActivities({ store, models, maxPixels, dataDir }: ActivityDeps) {
  return {
    loadImage: loadImage(maxPixels),
    hashImage: hashImage(maxPixels),
    readMetadata,
    detectObjects: detectObjects(models.detector, maxPixels, dataDir),
    readText: readText(models.textReaders, maxPixels),
    describeImage: describeImage(models.embedder, models.matcher, maxPixels, dataDir),
    classifyScene: classifyScene(models.scene, maxPixels),
    matchPlaces: matchPlaces(store, models.matcher, dataDir),
    findSimilarImages: findSimilarImages({ store, models, dataDir, maxPixels }),
    addPlace: addPlace({ store, models, dataDir, maxPixels }),
    listImagesPage: listImagesPage(store, dataDir, stageModels(models)),
    saveClues: saveClues(store),
    recordFailure: recordFailure(store),
  };
}

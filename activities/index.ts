import type { Models } from '../models/registry';
import type { MongoClueStore } from '../store/clue-store';
import { classifyScene } from './classify-scene';
import { detectObjects } from './detect-objects';
import { hashImage } from './hash-image';
import { loadImage } from './load-image';
import { readMetadata } from './read-metadata';
import { readText } from './read-text';
import { recordFailure, saveClues } from './save-clues';

export interface ActivityDeps {
  store: MongoClueStore;
  models: Pick<Models, 'detector' | 'textReaders' | 'scene'>;
  maxPixels: number;
  /** Where object crops are written (`<data>/crops`). */
  cropsDir: string;
}

/** The worker is the one place that builds real dependencies; tests pass their own. */
export function createActivities({ store, models, maxPixels, cropsDir }: ActivityDeps) {
  return {
    loadImage: loadImage(maxPixels),
    hashImage: hashImage(maxPixels),
    readMetadata,
    detectObjects: detectObjects(models.detector, maxPixels, cropsDir),
    readText: readText(models.textReaders, maxPixels),
    classifyScene: classifyScene(models.scene, maxPixels),
    saveClues: saveClues(store),
    recordFailure: recordFailure(store),
  };
}

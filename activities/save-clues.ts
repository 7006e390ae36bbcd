import type { MongoClueStore, SaveImageInput } from '../store/clue-store';

/** Idempotent upsert of the image record and each stage's clues; returns how many clues it holds. */
export function saveClues(store: MongoClueStore) {
  return (input: SaveImageInput): Promise<number> => store.saveImage(input);
}

/** Keeps a rejected image on record with its reason: images in = processed + failed. */
export function recordFailure(store: MongoClueStore) {
  return (input: { sha256: string; path: string; caseId?: string; code: string; reason: string }): Promise<void> =>
    store.recordFailure(input);
}

import type { RunItem } from '../core/batch';
import type { Store, SaveImageInput } from '../store';

/** Idempotent upsert of the image record and each stage's clues; returns how many clues it holds. */
export function saveClues(store: Store) {
  return (input: SaveImageInput): Promise<number> => store.images.save(input);
}

/** Keeps a rejected image on record with its reason: images in = processed + failed. */
export function recordFailure(store: Store) {
  return (input: { sha256: string; path: string; caseId?: string; code: string; reason: string }): Promise<void> =>
    store.images.recordFailure(input);
}

/** Files of a batch run that did not end done, each with its reason: all of them, in the store. */
export function recordRunItems(store: Store) {
  return (input: { run: string; items: RunItem[] }): Promise<void> => store.runItems.record(input.run, input.items);
}

import type { ImageRef, StageOutcome } from '../core/clues';
import type { Store } from '../store';
import { GROUPING_VERSION } from '../usecases/face-grouping';
import { groupImageFaces } from '../usecases/faces';

export const PEOPLE_MODEL = { name: 'face-grouping', version: GROUPING_VERSION };

/**
 * The image's matchable faces grouped into people, across every case (the `people` stage: after
 * saving, so the image's cases are known, and before where and when, which inherits through a
 * person link). Saved by the stage itself; the outcome holds counts, never a descriptor.
 */
export function groupFaces(store: Pick<Store, 'faces' | 'images' | 'audit'>) {
  return async (ref: Pick<ImageRef, 'sha256'>): Promise<StageOutcome> => {
    const started = Date.now();
    const { joined, created, faces } = await groupImageFaces(store, ref.sha256);
    const outcome: StageOutcome = {
      stage: 'people',
      status: 'ok',
      model: PEOPLE_MODEL,
      clues: [],
      ...(faces ? {} : { reason: 'no matchable face' }),
      data: { people: { faces, joined, created } },
      durationMs: Date.now() - started,
    };
    await store.images.saveStage(ref.sha256, outcome);
    return { ...outcome, data: {} };
  };
}

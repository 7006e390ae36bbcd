import { GROUPING_VERSION } from '../usecases/face-grouping';
import { groupImageFaces } from '../usecases/faces';
import type { StageDefinition } from './stage';

export const PEOPLE_MODEL = { name: 'face-grouping', version: GROUPING_VERSION };

/**
 * The image's matchable faces grouped into people, across every case (the `people` stage: after
 * saving, so the image's cases are known, and before where and when, which inherits through a
 * person link). Saved by the stage itself; the outcome holds counts, never a descriptor.
 */
export const groupFaces: StageDefinition<'people'> = {
  ownModel: PEOPLE_MODEL,
  async run({ ref, deps }) {
    const { joined, created, faces } = await groupImageFaces(deps.store, ref.sha256);
    return { ...(faces ? {} : { reason: 'no matchable face' }), data: { people: { faces, joined, created } } };
  },
};

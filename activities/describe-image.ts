import { featuresKey } from '../blobs/keys';
import type { StageDefinition } from './stage';

/** A global embedding and local keypoints: what similarity and place matching compare. */
export const describeImage: StageDefinition<'features'> = {
  async run({ ref, deps, engine }) {
    const described = await engine();
    const featuresPath = featuresKey(ref.sha256);
    await deps.blobs.put(featuresPath, Buffer.from(described.features));
    return { data: { embedding: described.embedding, featuresPath, keypoints: described.keypoints } };
  },
};

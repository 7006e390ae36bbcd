import type { ImageRef, StageOutcome } from '../core/clues';
import { joinedModel, type ImageEngine } from '../engine/image-engine';
import type { BlobStore } from '../blobs/blob-store';
import { featuresKey } from '../blobs/keys';
import { engineInput, imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/** A global embedding and local keypoints: what similarity and place matching compare. */
export function describeImage(engine: ImageEngine, blobs: BlobStore) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      const { embedder, matcher } = engine.models;
      if (!embedder.ok || !matcher.ok) {
        const reason = [embedder, matcher].map((m) => (m.ok ? '' : m.reason)).filter(Boolean).join('; ');
        return { stage: 'features', status: 'unavailable', reason, clues: [] };
      }
      const started = Date.now();
      const src = await imageSource(blobs, ref.path);
      const described = await withHeartbeat(() => engine.describe(engineInput(src, ref.sha256)));
      const featuresPath = featuresKey(ref.sha256);
      await blobs.put(featuresPath, Buffer.from(described.features));
      return {
        stage: 'features',
        status: 'ok',
        model: joinedModel([embedder.model, matcher.model]),
        clues: [],
        data: { embedding: described.embedding, featuresPath, keypoints: described.keypoints },
        durationMs: Date.now() - started,
      };
    });
}

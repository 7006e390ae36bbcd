import { joinedModel } from './stage-models';
import type { ImageRef, StageOutcome } from '../core/clues';
import type { ImageEmbedder } from '../models/image-embedder';
import { decodeGray, decodeRgb } from '../models/image-loader';
import { encodeFeatures, type OrbMatcher } from '../models/local-features';
import type { Maybe } from '../models/registry';
import type { BlobStore } from '../storage/blob-store';
import { imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/** The storage key of an image's keypoints. */
export function featuresFile(sha256: string): string {
  return `features/${sha256.slice(0, 2)}/${sha256}.orb`;
}

/** A global embedding and local keypoints: what similarity and place matching compare. */
export function describeImage(embedder: Maybe<ImageEmbedder>, matcher: Maybe<OrbMatcher>, maxPixels: number, blobs: BlobStore) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      if (!embedder.ok || !matcher.ok) {
        const reason = [embedder, matcher].map((m) => (m.ok ? '' : m.reason)).filter(Boolean).join('; ');
        return { stage: 'features', status: 'unavailable', reason, clues: [] };
      }
      const started = Date.now();
      const src = await imageSource(blobs, ref.path);
      const [rgb, gray] = await Promise.all([decodeRgb(src, maxPixels, embedder.value.inputSide), decodeGray(src, maxPixels, matcher.value.inputSide)]);
      const embedding = await withHeartbeat(() => embedder.value.embed(rgb));
      const features = matcher.value.extract(gray);
      const featuresPath = featuresFile(ref.sha256);
      await blobs.put(featuresPath, encodeFeatures(features));
      return {
        stage: 'features',
        status: 'ok',
        model: joinedModel([embedder.value.model, matcher.value.model]),
        clues: [],
        data: { embedding: embedding.map((x) => Math.round(x * 1e6) / 1e6), featuresPath, keypoints: features.points.length / 2 },
        durationMs: Date.now() - started,
      };
    });
}

import { joinedModel } from './stage-models';
import { join } from 'node:path';
import type { ImageRef, StageOutcome } from '../core/clues';
import type { ImageEmbedder } from '../models/image-embedder';
import { decodeGray, decodeRgb } from '../models/image-loader';
import { saveFeatures, type OrbMatcher } from '../models/local-features';
import type { Maybe } from '../models/registry';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

export function featuresFile(sha256: string): string {
  return join('features', sha256.slice(0, 2), `${sha256}.orb`);
}

/** A global embedding and local keypoints: what similarity and place matching compare. */
export function describeImage(embedder: Maybe<ImageEmbedder>, matcher: Maybe<OrbMatcher>, maxPixels: number, dataDir: string) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      if (!embedder.ok || !matcher.ok) {
        const reason = [embedder, matcher].map((m) => (m.ok ? '' : m.reason)).filter(Boolean).join('; ');
        return { stage: 'features', status: 'unavailable', reason, clues: [] };
      }
      const started = Date.now();
      const [rgb, gray] = await Promise.all([decodeRgb(ref.path, maxPixels, embedder.value.inputSide), decodeGray(ref.path, maxPixels, matcher.value.inputSide)]);
      const embedding = await withHeartbeat(() => embedder.value.embed(rgb));
      const features = matcher.value.extract(gray);
      const featuresPath = featuresFile(ref.sha256);
      await saveFeatures(join(dataDir, featuresPath), features);
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

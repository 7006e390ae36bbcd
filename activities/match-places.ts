import type { ClueInput, ImageDescriptors, ImageRef, StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import type { ImageEngine } from '../engine/image-engine';
import { cosine, MIN_SCENE_INLIERS, sceneScore } from '../models/similarity';
import type { Store } from '../store';
import type { BlobStore } from '../blobs/blob-store';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/** How many of the places that look most alike get the (slower) local-feature check. */
const VERIFY_TOP = 20;

/** Candidate known places for an image: looks alike, then verified by matching keypoints. */
/** The image and the features stage's outcome (workflows before the stage registry sent its descriptors). */
export type MatchPlacesInput = (ImageRef & { inputs: { features?: StageOutcome } }) | { ref: ImageRef; descriptors: ImageDescriptors };

export function matchPlaces(store: Pick<Store, 'places'>, engine: ImageEngine, blobs: BlobStore) {
  return (input: MatchPlacesInput): Promise<StageOutcome> =>
    asActivityError(async () => {
      const ref: ImageRef = 'ref' in input ? input.ref : { path: input.path, sha256: input.sha256 };
      const features = 'ref' in input ? undefined : input.inputs.features;
      if (features && features.status !== 'ok') return { stage: 'places', status: 'unavailable', reason: `no image features (${features.reason ?? features.status})`, clues: [] };
      const descriptors = 'ref' in input ? input.descriptors : (features?.data as unknown as ImageDescriptors | undefined);
      if (!descriptors) return { stage: 'places', status: 'unavailable', reason: 'no image features', clues: [] };
      const matcher = engine.models.matcher;
      if (!matcher.ok) return { stage: 'places', status: 'unavailable', reason: matcher.reason, clues: [] };
      const started = Date.now();
      const places = await store.places.list();
      const ranked = places
        .filter((p) => p._id !== ref.sha256)
        .map((p) => ({ p, cos: cosine(descriptors.embedding, p.embedding) }))
        .sort((a, b) => b.cos - a.cos)
        .slice(0, VERIFY_TOP);
      const clues: ClueInput[] = [];
      if (ranked.length) {
        const [query, ...known] = await Promise.all([descriptors.featuresPath, ...ranked.map((r) => r.p.featuresPath)].map((k) => blobs.get(k)));
        const local = await withHeartbeat(() => engine.match(query!, known));
        for (const [i, { p, cos }] of ranked.entries()) {
          const m = local[i]!;
          if (m.inliers < MIN_SCENE_INLIERS) continue;
          clues.push({
            type: 'location',
            value: p.name,
            tokens: uniqueTokens(p.name),
            score: sceneScore({ cosine: cos, local: m }),
            detail: { placeId: p._id, cosine: Math.round(cos * 1000) / 1000, inliers: m.inliers, matches: m.matches },
          });
        }
      }
      return {
        stage: 'places',
        status: 'ok',
        model: matcher.model,
        clues: clues.sort((a, b) => (b.score ?? 0) - (a.score ?? 0)),
        ...(places.length === 0 ? { reason: 'no known places yet' } : {}),
        durationMs: Date.now() - started,
      };
    });
}

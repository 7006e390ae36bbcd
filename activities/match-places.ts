import type { ClueInput, ImageDescriptors, ImageRef, StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import { decodeFeatures, type OrbMatcher } from '../models/local-features';
import type { Maybe } from '../models/registry';
import { cosine, MIN_SCENE_INLIERS, sceneScore } from '../models/similarity';
import type { MongoClueStore } from '../store/clue-store';
import type { BlobStore } from '../storage/blob-store';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/** How many of the places that look most alike get the (slower) local-feature check. */
const VERIFY_TOP = 20;

/** Candidate known places for an image: looks alike, then verified by matching keypoints. */
export function matchPlaces(store: MongoClueStore, matcher: Maybe<OrbMatcher>, blobs: BlobStore) {
  return ({ ref, descriptors }: { ref: ImageRef; descriptors: ImageDescriptors }): Promise<StageOutcome> =>
    asActivityError(async () => {
      if (!matcher.ok) return { stage: 'places', status: 'unavailable', reason: matcher.reason, clues: [] };
      const started = Date.now();
      const places = await store.listPlaces();
      const load = async (key: string) => decodeFeatures(await blobs.get(key), key);
      const query = await load(descriptors.featuresPath);
      const ranked = places
        .filter((p) => p._id !== ref.sha256)
        .map((p) => ({ p, cos: cosine(descriptors.embedding, p.embedding) }))
        .sort((a, b) => b.cos - a.cos)
        .slice(0, VERIFY_TOP);
      const clues: ClueInput[] = [];
      await withHeartbeat(async () => {
        for (const { p, cos } of ranked) {
          const local = matcher.value.match(query, await load(p.featuresPath));
          if (local.inliers < MIN_SCENE_INLIERS) continue;
          clues.push({
            type: 'location',
            value: p.name,
            tokens: uniqueTokens(p.name),
            score: sceneScore({ cosine: cos, local }),
            detail: { placeId: p._id, cosine: Math.round(cos * 1000) / 1000, inliers: local.inliers, matches: local.matches },
          });
        }
      });
      return {
        stage: 'places',
        status: 'ok',
        model: matcher.value.model,
        clues: clues.sort((a, b) => (b.score ?? 0) - (a.score ?? 0)),
        ...(places.length === 0 ? { reason: 'no known places yet' } : {}),
        durationMs: Date.now() - started,
      };
    });
}

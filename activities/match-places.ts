import type { ClueInput, ImageDescriptors } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import { cosine, MIN_SCENE_INLIERS, sceneScore } from '../models/similarity';
import type { StageDefinition } from './stage';
import { withHeartbeat } from './heartbeat';

/** How many of the places that look most alike get the (slower) local-feature check. */
const VERIFY_TOP = 20;

/** Workflows recorded before the stage registry sent the descriptors themselves. */
type LegacyInput = { descriptors?: ImageDescriptors };

/** Candidate known places for an image: looks alike, then verified by matching keypoints. */
export const matchPlaces: StageDefinition<'places'> = {
  async run({ ref, input, inputs, deps }) {
    const features = inputs.features;
    if (features && features.status !== 'ok') return { status: 'unavailable', reason: `no image features (${features.reason ?? features.status})` };
    const descriptors = (input as LegacyInput).descriptors ?? (features?.data as unknown as ImageDescriptors | undefined);
    if (!descriptors) return { status: 'unavailable', reason: 'no image features' };
    const places = await deps.store.places.list();
    const ranked = places
      .filter((p) => p._id !== ref.sha256)
      .map((p) => ({ p, cos: cosine(descriptors.embedding, p.embedding) }))
      .sort((a, b) => b.cos - a.cos)
      .slice(0, VERIFY_TOP);
    const clues: ClueInput[] = [];
    if (ranked.length) {
      const [query, ...known] = await Promise.all([descriptors.featuresPath, ...ranked.map((r) => r.p.featuresPath)].map((k) => deps.blobs.get(k)));
      const local = await withHeartbeat(() => deps.engine.match(query!, known));
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
    return { clues: clues.sort((a, b) => (b.score ?? 0) - (a.score ?? 0)), ...(places.length === 0 ? { reason: 'no known places yet' } : {}) };
  },
};

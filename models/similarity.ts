import { cosine } from './image-embedder';
import type { FeatureMatch } from './local-features';

// How the similarity signals combine. Tiers are kept apart: the same bytes, a near-duplicate copy
// (PDQ), the same place or object seen again (local features agree on one homography), and
// images that merely look alike (global embedding only).

export type { SimilarityTier } from '../core/api-types';

/** Inliers of one homography needed to call two images the same surface or scene. */
export const MIN_SCENE_INLIERS = 15;
/** Embedding similarity above which an unverified image is still shown as "similar". */
export const MIN_SIMILAR_COSINE = 0.95;

export interface SignalScores {
  pdqDistance?: number;
  cosine?: number;
  local?: FeatureMatch;
}

/** 0..1, comparable across tiers only within a tier; the tier orders results first. */
export function sceneScore(s: SignalScores): number {
  const verified = s.local ? Math.min(1, s.local.inliers / 100) : 0;
  const look = s.cosine !== undefined ? Math.max(0, (s.cosine - 0.85) / 0.15) : 0;
  return Math.round((0.7 * verified + 0.3 * look) * 1000) / 1000;
}

export { cosine };

import { cosine } from './image-embedder';
import type { FeatureMatch } from './local-features';

// How the similarity signals combine. Tiers are kept apart: the same bytes, a near-duplicate copy
// (PDQ), the same place or object seen again (local features agree on one homography), and
// images that merely look alike (global embedding only).

export type { SimilarityTier } from '../core/api-types';

/** Inliers of one homography needed to call two images the same surface or scene. */
export const MIN_SCENE_INLIERS = 15;
/**
 * A small crop has few keypoints: fewer inliers also count when nearly every ratio-test match
 * agrees with the homography (unrelated images give scattered matches, few of them inliers).
 */
const MIN_SMALL_INLIERS = 8;
const MIN_SMALL_INLIER_RATIO = 0.75;

/** Local features say the two images show the same surface. */
export function sameSurface(m: FeatureMatch): boolean {
  return m.inliers >= MIN_SCENE_INLIERS || (m.inliers >= MIN_SMALL_INLIERS && m.inliers >= MIN_SMALL_INLIER_RATIO * m.matches);
}
/**
 * Embedding similarity (MobileNetV2 ImageNet features) above which an unverified image is still
 * shown as "similar": on the eval set, unrelated photos score 0.32-0.56 (p5-p95) and another
 * view of the same scene 0.59-1.0.
 */
export const MIN_SIMILAR_COSINE = 0.6;
/** Cosine at which the embedding's share of a score starts to count. */
const LOOK_FLOOR = 0.5;

export interface SignalScores {
  pdqDistance?: number;
  cosine?: number;
  local?: FeatureMatch;
}

/**
 * 0..1, comparable only within a tier; the tier orders results first. In the same-scene tier the
 * keypoint evidence counts most, then how exactly the homography fits (a crop's own source fits to
 * about a pixel, another viewpoint of it less), then the embedding.
 */
export function sceneScore(s: SignalScores): number {
  const look = s.cosine !== undefined ? Math.max(0, (s.cosine - LOOK_FLOOR) / (1 - LOOK_FLOOR)) : 0;
  if (!s.local) return Math.round(0.3 * look * 1000) / 1000;
  const verified = Math.min(1, s.local.inliers / 50);
  const exact = s.local.error !== undefined ? Math.max(0, 1 - s.local.error / 3) : 0.5;
  return Math.round((0.55 * verified + 0.25 * exact + 0.2 * look) * 1000) / 1000;
}

export { cosine };

import { decodeFeatures, type LocalFeatures, type OrbMatcher } from '../models/local-features';
import { pdqDistance, PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY } from '../models/pdq';
import type { QueryDescriptors } from '../models/query-descriptors';
import { cosine, MIN_SCENE_INLIERS, MIN_SIMILAR_COSINE, sceneScore, type SimilarityTier } from '../models/similarity';
import type { MongoClueStore, SimilarityCandidate } from '../store/clue-store';
import type { BlobStore } from '../storage/blob-store';

export interface SimilarHit {
  path: string;
  sha256: string;
  tier: SimilarityTier;
  score: number;
  /** Why it matched, in words an analyst can check. */
  reason: string;
  signals: { pdqDistance?: number; cosine?: number; inliers?: number };
}

export interface SimilarOptions {
  limit?: number;
  caseId?: string;
  /** How many of the best-looking images get local-feature verification. */
  verifyTop?: number;
}

const TIER_RANK: Record<SimilarityTier, number> = { duplicate: 0, 'near-duplicate': 1, 'same-scene': 2, similar: 3 };

/**
 * Images like the query, in four tiers that are never mixed: the same bytes (SHA-256), a
 * near-duplicate copy (PDQ <= 31 with quality >= 50, Meta's rule), the same scene or object
 * (keypoints agree on one homography), and images that merely look alike (embedding).
 */
export async function findSimilar(store: MongoClueStore, matcher: OrbMatcher, blobs: BlobStore, q: QueryDescriptors, opts: SimilarOptions = {}): Promise<SimilarHit[]> {
  const candidates = await store.similarityCandidates(opts.caseId);
  return rankSimilar(q, candidates, matcher, async (c) => decodeFeatures(await blobs.get(c.featuresPath!), c.featuresPath!), opts);
}

/** The ranking itself, on candidates from anywhere (the store, or an evaluation set in memory). */
export async function rankSimilar(
  q: QueryDescriptors,
  candidates: SimilarityCandidate[],
  matcher: OrbMatcher,
  features: (c: SimilarityCandidate) => Promise<LocalFeatures>,
  opts: Omit<SimilarOptions, 'caseId'> = {},
): Promise<SimilarHit[]> {
  const hits: SimilarHit[] = [];
  const rest: { c: (typeof candidates)[number]; cos: number; d?: number }[] = [];
  for (const c of candidates) {
    const d = c.pdq ? pdqDistance(q.pdq.hash, c.pdq.hash) : undefined;
    const cos = c.embedding ? cosine(q.embedding, c.embedding) : 0;
    if (c.sha256 === q.sha256) {
      hits.push({ path: c.path, sha256: c.sha256, tier: 'duplicate', score: 1, reason: 'identical SHA-256', signals: {} });
    } else if (d !== undefined && d <= PDQ_MATCH_DISTANCE && q.pdq.quality >= PDQ_MIN_QUALITY && (c.pdq?.quality ?? 0) >= PDQ_MIN_QUALITY) {
      hits.push({ path: c.path, sha256: c.sha256, tier: 'near-duplicate', score: Math.round((1 - d / 256) * 1000) / 1000, reason: `PDQ distance ${d} <= ${PDQ_MATCH_DISTANCE}`, signals: { pdqDistance: d } });
    } else {
      rest.push({ c, cos, ...(d !== undefined ? { d } : {}) });
    }
  }
  rest.sort((a, b) => b.cos - a.cos);
  const verifyTop = opts.verifyTop ?? 50;
  for (const [i, { c, cos, d }] of rest.entries()) {
    let inliers: number | undefined;
    if (i < verifyTop && c.featuresPath) {
      const local = matcher.match(q.features, await features(c));
      inliers = local.inliers;
      if (local.inliers >= MIN_SCENE_INLIERS) {
        hits.push({
          path: c.path, sha256: c.sha256, tier: 'same-scene', score: sceneScore({ cosine: cos, local }),
          reason: `${local.inliers} keypoints agree on one homography (embedding ${cos.toFixed(3)})`,
          signals: { cosine: cos, inliers: local.inliers, ...(d !== undefined ? { pdqDistance: d } : {}) },
        });
        continue;
      }
    }
    if (cos >= MIN_SIMILAR_COSINE) {
      hits.push({
        path: c.path, sha256: c.sha256, tier: 'similar', score: sceneScore({ cosine: cos }),
        reason: `embedding similarity ${cos.toFixed(3)}${inliers !== undefined ? `, ${inliers} verified keypoints` : ''}`,
        signals: { cosine: cos, ...(inliers !== undefined ? { inliers } : {}), ...(d !== undefined ? { pdqDistance: d } : {}) },
      });
    }
  }
  return hits.sort((a, b) => TIER_RANK[a.tier] - TIER_RANK[b.tier] || b.score - a.score).slice(0, opts.limit ?? 20);
}

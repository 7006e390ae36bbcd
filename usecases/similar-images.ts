import type { SimilarHit, SimilarResult } from '../core/api-types';
import type { ImageEngine, ImageInput, QueryResult } from '../engine/image-engine';
import type { FeatureMatch } from '../models/local-features';
import { pdqDistance, PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY } from '../models/pdq';
import { regionSetOf } from '../store/region-vectors';
import { regionVotes, type ImageVote, type RegionSearch } from './region-votes';
import type { SimilarityTier } from '../core/api-types';
import { cosine, MIN_SIMILAR_COSINE, sameSurface, sceneScore } from '../models/similarity';
import type { Store } from '../store';
import type { SimilarityCandidate } from '../store/documents';
import { readImageRef, type BlobStore } from '../blobs/blob-store';

export type { SimilarHit, SimilarResult } from '../core/api-types';

export interface SimilarOptions {
  limit?: number;
  caseId?: string;
  /** How many of the best-looking images get local-feature verification. */
  verifyTop?: number;
  /** How many of the best same-scene hits are followed to the images they in turn match (query expansion). */
  expandTop?: number;
  /** How many of the best-looking unverified images a small query re-checks at a dense keypoint budget. */
  denseTop?: number;
  /** The order verification takes the candidates in (default: the embedding's cosine, best first). */
  rankBy?: (c: SimilarityCandidate, cosine: number) => number;
}

/**
 * Images the vector index shortlists for keypoint verification, at most: the query's cost is
 * bounded by this, not by the store's size.
 */
export const SHORTLIST = 100;

/** A query with fewer keypoints than this (a small crop) re-checks its shortlist densely. */
const SMALL_QUERY_KEYPOINTS = 700;

const TIER_RANK: Record<SimilarityTier, number> = { duplicate: 0, 'near-duplicate': 1, 'same-scene': 2, similar: 3 };

export interface SimilarDeps {
  store: Pick<Store, 'images' | 'regions'>;
  engine: ImageEngine;
  blobs: BlobStore;
  index: RegionSearch;
}

/**
 * Images like the query, in four tiers that are never mixed: the same bytes (SHA-256), a
 * near-duplicate copy (PDQ <= 31 with quality >= 50, Meta's rule, through the multi-index hash),
 * the same scene or object (keypoints agree on one homography), and images that merely look alike
 * (embedding). Candidates come from indexes only: the vector index's nearest regions, voted into a
 * shortlist of at most SHORTLIST images, plus the PDQ index's. A shortlisted image whose keypoints
 * or pixels cannot be read is skipped and named; the query goes on.
 */
export async function findSimilar(d: SimilarDeps, q: QueryResult, opts: SimilarOptions = {}): Promise<SimilarResult> {
  const { images } = d.store;
  const votes = q.regions ? (await regionVotes(d.index, q.regions)).slice(0, SHORTLIST) : [];
  const voteOf = new Map(votes.map((v) => [v.prefix, v]));
  const [same, near, voted] = await Promise.all([
    images.candidatesByPrefix([q.sha256.slice(0, 14)], opts.caseId),
    q.pdq.quality >= PDQ_MIN_QUALITY ? images.pdqCandidates(q.pdq.hash, opts.caseId) : Promise.resolve([]),
    images.candidatesByPrefix(votes.map((v) => v.prefix), opts.caseId),
  ]);
  const bySha = new Map<string, SimilarityCandidate>();
  for (const c of [...same.filter((c) => c.sha256 === q.sha256), ...near, ...voted]) bySha.set(c.sha256, c);
  const candidates = [...bySha.values()];
  const skipped: SimilarResult['skipped'] = [];
  const skip = (c: SimilarityCandidate, err: unknown) => skipped.push({ path: c.path, sha256: c.sha256, reason: err instanceof Error ? err.message : String(err) });
  // Keypoints of each candidate, or the reason they cannot be read: such a candidate is not verified.
  const features = async (cs: SimilarityCandidate[]) => {
    const got = await Promise.allSettled(cs.map((c) => d.blobs.get(c.featuresPath!)));
    return cs.flatMap((c, i) => {
      const r = got[i]!;
      if (r.status === 'fulfilled') return [{ c, bytes: r.value }];
      skip(c, new Error(`its keypoints file cannot be read: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`));
      return [];
    });
  };
  const verifyAll = async (query: Uint8Array, cs: SimilarityCandidate[]): Promise<FeatureMatch[]> => {
    const ok = await features(cs);
    const matches = ok.length ? await d.engine.match(query, ok.map((o) => o.bytes)) : [];
    const byC = new Map(ok.map((o, i) => [o.c, matches[i]!]));
    return cs.map((c) => byC.get(c) ?? { matches: 0, inliers: 0 });
  };
  const dense = async (cs: SimilarityCandidate[]): Promise<FeatureMatch[]> => {
    const out: FeatureMatch[] = [];
    for (const c of cs) {
      try {
        const src = await readImageRef(d.blobs, c.path);
        const input: ImageInput = typeof src === 'string' ? { path: src } : { bytes: src };
        out.push((await d.engine.matchDense(q.features, [input]))[0]!);
      } catch (err) {
        skip(c, new Error(`its source file cannot be read: ${err instanceof Error ? err.message : String(err)}`));
        out.push({ matches: 0, inliers: 0 });
      }
    }
    return out;
  };
  const hits = await rankSimilar(q, candidates, (cs) => verifyAll(q.features, cs), {
    ...opts,
    verifyTop: opts.verifyTop ?? SHORTLIST,
    rankBy: (c, cos) => (voteOf.get(c.sha256.slice(0, 14))?.score ?? 0) + cos,
  }, async (seed, cs) => {
    const [s] = await features([seed]);
    return s ? verifyAll(s.bytes, cs) : cs.map(() => ({ matches: 0, inliers: 0 }));
  }, dense);
  await boxHits(d.store, hits, voteOf);
  const seen = new Set<string>();
  return {
    hits,
    skipped: skipped.filter((s) => !seen.has(s.sha256) && seen.add(s.sha256)),
    searched: { indexed: d.index.status.images, shortlisted: votes.length },
  };
}

/** A hit without a keypoint box gets the box of its stored region nearest the query. */
async function boxHits(store: Pick<Store, 'regions'>, hits: SimilarHit[], voteOf: Map<string, ImageVote>): Promise<void> {
  await Promise.all(hits.map(async (h) => {
    const v = voteOf.get(h.sha256.slice(0, 14));
    if (v) h.signals.regions = v.regions;
    if (h.box || !v || h.tier === 'duplicate' || h.tier === 'near-duplicate') return;
    const doc = await store.regions.get(h.sha256);
    const box = doc ? regionSetOf(doc).boxes[v.best] : undefined;
    if (box) h.box = box;
  }));
}

/** Local-feature verification of the query against each of these candidates, in order. */
export type Verify = (candidates: SimilarityCandidate[]) => Promise<FeatureMatch[]>;
/** The same, of an image already found (a seed) against others: a link the query reaches through it. */
export type VerifyFrom = (seed: SimilarityCandidate, candidates: SimilarityCandidate[]) => Promise<FeatureMatch[]>;
/** Verification of the query against candidates' keypoints found anew at a dense budget. */
export type VerifyDense = (candidates: SimilarityCandidate[]) => Promise<FeatureMatch[]>;

/** The ranking itself, on candidates from anywhere (the store, or an evaluation set in memory). */
export async function rankSimilar(
  q: Pick<QueryResult, 'sha256' | 'pdq' | 'embedding'> & Partial<Pick<QueryResult, 'keypoints'>>,
  candidates: SimilarityCandidate[],
  verify: Verify,
  opts: Omit<SimilarOptions, 'caseId'> = {},
  verifyFrom?: VerifyFrom,
  verifyDense?: VerifyDense,
): Promise<SimilarHit[]> {
  const hits: SimilarHit[] = [];
  const rest: { c: (typeof candidates)[number]; cos: number; d?: number }[] = [];
  for (const c of candidates) {
    const d = c.pdq ? pdqDistance(q.pdq.hash, c.pdq.hash) : undefined;
    // An embedding made by another model (another length) says nothing until the image is re-run.
    const cos = c.embedding && c.embedding.length === q.embedding.length ? cosine(q.embedding, c.embedding) : 0;
    if (c.sha256 === q.sha256) {
      hits.push({ path: c.path, sha256: c.sha256, tier: 'duplicate', score: 1, reason: 'identical SHA-256', signals: {} });
    } else if (d !== undefined && d <= PDQ_MATCH_DISTANCE && q.pdq.quality >= PDQ_MIN_QUALITY && (c.pdq?.quality ?? 0) >= PDQ_MIN_QUALITY) {
      hits.push({ path: c.path, sha256: c.sha256, tier: 'near-duplicate', score: Math.round((1 - d / 256) * 1000) / 1000, reason: `PDQ distance ${d} <= ${PDQ_MATCH_DISTANCE}`, signals: { pdqDistance: d } });
    } else {
      rest.push({ c, cos, ...(d !== undefined ? { d } : {}) });
    }
  }
  const rankBy = opts.rankBy ?? ((_c: SimilarityCandidate, cos: number) => cos);
  rest.sort((a, b) => rankBy(b.c, b.cos) - rankBy(a.c, a.cos));
  // One verification call for the shortlist: it runs in the engine process.
  const shortlist = rest.slice(0, opts.verifyTop ?? 50).filter((r) => r.c.featuresPath).map((r) => r.c);
  const verified = new Map((await (shortlist.length ? verify(shortlist) : Promise.resolve([]))).map((m, i) => [shortlist[i]!, m]));
  // A small query (a crop of a logo) has few keypoints, and the stored ones of the image it came
  // from are spread over the whole image: the best-looking images are checked again with their
  // keypoints found densely, and the better of the two checks counts.
  const densely = new Set<SimilarityCandidate>();
  if (verifyDense && (q.keypoints ?? Infinity) < SMALL_QUERY_KEYPOINTS) {
    const recheck = shortlist.slice(0, opts.denseTop ?? 6);
    const dense = recheck.length ? await verifyDense(recheck) : [];
    recheck.forEach((c, i) => {
      if (dense[i]!.inliers > (verified.get(c)?.inliers ?? 0)) {
        verified.set(c, dense[i]!);
        densely.add(c);
      }
    });
  }
  const sameScene = new Set<SimilarityCandidate>();
  for (const { c, cos, d } of rest) {
    const local = verified.get(c);
    if (local && sameSurface(local)) {
      sameScene.add(c);
      hits.push({
        path: c.path, sha256: c.sha256, tier: 'same-scene', score: sceneScore({ cosine: cos, local }),
        reason: `${local.inliers} keypoints agree on one homography${local.error !== undefined ? ` to ${local.error} px` : ''}${densely.has(c) ? ', found densely for this small query' : ''} (embedding ${cos.toFixed(3)})`,
        signals: { cosine: cos, inliers: local.inliers, ...(d !== undefined ? { pdqDistance: d } : {}) },
        ...(local.box ? { box: local.box } : {}),
      });
    }
  }
  // Query expansion: a crop verified in image A, where A is verified the same scene as B, finds B
  // too (another viewpoint that shows the object too small or turned for the crop alone). Such a
  // hit stays in the same-scene tier, ranks after the direct ones, and its reason names A.
  const seeds = hits.filter((h) => h.tier === 'same-scene').sort((a, b) => b.score - a.score).slice(0, opts.expandTop ?? 3);
  const via = new Map<SimilarityCandidate, SimilarHit>();
  if (verifyFrom && seeds.length) {
    const others = shortlist.filter((c) => !sameScene.has(c));
    for (const seedHit of seeds) {
      const seed = shortlist.find((c) => c.sha256 === seedHit.sha256)!;
      const open = others.filter((c) => !via.has(c));
      if (!open.length) break;
      const links = await verifyFrom(seed, open);
      open.forEach((c, i) => {
        const link = links[i]!;
        if (!sameSurface(link)) return;
        const cos = rest.find((r) => r.c === c)!.cos;
        via.set(c, {
          path: c.path, sha256: c.sha256, tier: 'same-scene', score: Math.round(0.9 * Math.min(seedHit.score, sceneScore({ cosine: cos, local: link })) * 1000) / 1000,
          reason: `through ${seed.path}: the query's keypoints agree with it (${seedHit.signals.inliers}), and ${link.inliers} of its keypoints agree with this image on one homography`,
          signals: { cosine: cos, inliers: link.inliers },
          ...(link.box ? { box: link.box } : {}),
        });
      });
    }
    hits.push(...via.values());
  }
  for (const { c, cos, d } of rest) {
    if (sameScene.has(c) || via.has(c)) continue;
    const inliers = verified.get(c)?.inliers;
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

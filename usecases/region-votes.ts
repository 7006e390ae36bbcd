import type { RegionsResult } from '../engine/image-engine';
import { keyPrefix, keyRegion } from '../vectors/region-index';
import type { VectorHit } from '../vectors/vector-index';

// From the query's regions to candidate images: each query region's nearest stored regions vote
// for their images, an image scoring its best match per query region, summed over the query's
// regions. A crop of a logo matches one region of its source strongly from several of its own
// regions; an unrelated photo gets scattered weak votes.

/** Stored regions fetched per query region. */
export const NEIGHBOURS = 256;
/** Similarity below which a neighbour casts no vote (unrelated regions score about 0.1-0.4). */
const MIN_VOTE = 0.3;

export interface RegionSearch {
  /** Applies what the database saved since the last call (the index is derived data). */
  catchUp(): Promise<number>;
  search(queries: Int8Array, k: number): VectorHit[][];
  readonly status: { images: number; vectors: number };
}

export interface ImageVote {
  /** The image's SHA-256 prefix (the index key). */
  prefix: string;
  score: number;
  /** How many query regions found it. */
  regions: number;
  /** Its region that matched best, by number. */
  best: number;
  bestSimilarity: number;
}

export function vote(results: VectorHit[][]): ImageVote[] {
  const byImage = new Map<string, { perQuery: Map<number, number>; best: number; bestSimilarity: number }>();
  results.forEach((hits, q) => {
    for (const h of hits) {
      if (h.similarity < MIN_VOTE) continue;
      const prefix = keyPrefix(h.key);
      let v = byImage.get(prefix);
      if (!v) byImage.set(prefix, (v = { perQuery: new Map(), best: keyRegion(h.key), bestSimilarity: h.similarity }));
      if (h.similarity > (v.perQuery.get(q) ?? 0)) v.perQuery.set(q, h.similarity);
      if (h.similarity > v.bestSimilarity) {
        v.best = keyRegion(h.key);
        v.bestSimilarity = h.similarity;
      }
    }
  });
  const out: ImageVote[] = [];
  for (const [prefix, v] of byImage) {
    let score = 0;
    for (const s of v.perQuery.values()) score += (s - MIN_VOTE) / (1 - MIN_VOTE);
    out.push({ prefix, score, regions: v.perQuery.size, best: v.best, bestSimilarity: v.bestSimilarity });
  }
  return out.sort((a, b) => b.score - a.score);
}

/** The images whose regions are nearest the query's, best first. */
export async function regionVotes(index: RegionSearch, regions: RegionsResult, neighbours = NEIGHBOURS): Promise<ImageVote[]> {
  await index.catchUp();
  return vote(index.search(regions.vectors, neighbours));
}

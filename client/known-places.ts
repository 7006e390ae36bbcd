import { featuresFile } from '../activities/describe-image';
import { uniqueTokens } from '../core/tokens';
import type { ImageEmbedder } from '../models/image-embedder';
import { decodeFeatures, encodeFeatures, type OrbMatcher } from '../models/local-features';
import { describeQuery } from '../models/query-descriptors';
import { cosine, MIN_SCENE_INLIERS, sceneScore } from '../models/similarity';
import { SCENE_MATCH_MODEL_NAME } from '../models/scene-from-objects';
import type { MongoClueStore } from '../store/clue-store';
import { imageSource } from '../activities/image-source';
import type { BlobStore } from '../storage/blob-store';

/** How many stored images that look most alike are verified against a new place. */
const VERIFY_TOP = 200;

export interface KnownPlaceDeps {
  store: MongoClueStore;
  embedder: ImageEmbedder;
  matcher: OrbMatcher;
  blobs: BlobStore;
  maxPixels: number;
}

/**
 * Adds a reference image of a known place and matches the images already stored against it, so
 * that earlier images of the place gain a `location` clue too. Returns how many matched.
 */
export async function addKnownPlace(d: KnownPlaceDeps, path: string, name: string): Promise<{ placeId: string; matched: number }> {
  const q = await describeQuery(await imageSource(d.blobs, path), d.maxPixels, d.embedder, d.matcher);
  const featuresPath = featuresFile(q.sha256);
  await d.blobs.put(featuresPath, encodeFeatures(q.features));
  await d.store.addPlace({ _id: q.sha256, name, path, embedding: q.embedding, featuresPath });
  const candidates = (await d.store.similarityCandidates())
    .filter((c) => c.embedding && c.featuresPath && c.sha256 !== q.sha256)
    .map((c) => ({ c, cos: cosine(q.embedding, c.embedding!) }))
    .sort((a, b) => b.cos - a.cos)
    .slice(0, VERIFY_TOP);
  let matched = 0;
  for (const { c, cos } of candidates) {
    const local = d.matcher.match(q.features, decodeFeatures(await d.blobs.get(c.featuresPath!), c.featuresPath!));
    if (local.inliers < MIN_SCENE_INLIERS) continue;
    await d.store.addLocationClue(c.sha256, {
      type: 'location',
      value: name,
      tokens: uniqueTokens(name),
      score: sceneScore({ cosine: cos, local }),
      detail: { placeId: q.sha256, cosine: Math.round(cos * 1000) / 1000, inliers: local.inliers, matches: local.matches, matchedWhen: 'place added' },
    }, { name: SCENE_MATCH_MODEL_NAME, version: d.matcher.model.version });
    matched++;
  }
  return { placeId: q.sha256, matched };
}

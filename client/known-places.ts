import { featuresFile } from '../activities/describe-image';
import { uniqueTokens } from '../core/tokens';
import { engineInput } from '../activities/image-source';
import type { ImageEngine } from '../engine/image-engine';
import { cosine, MIN_SCENE_INLIERS, sceneScore } from '../models/similarity';
import { SCENE_MATCH_MODEL_NAME } from '../models/scene-from-objects';
import type { MongoClueStore } from '../store/clue-store';
import { imageSource } from '../activities/image-source';
import type { BlobStore } from '../storage/blob-store';

/** How many stored images that look most alike are verified against a new place. */
const VERIFY_TOP = 200;

export interface KnownPlaceDeps {
  store: MongoClueStore;
  engine: ImageEngine;
  blobs: BlobStore;
}

/**
 * Adds a reference image of a known place and matches the images already stored against it, so
 * that earlier images of the place gain a `location` clue too. Returns how many matched.
 */
export async function addKnownPlace(d: KnownPlaceDeps, path: string, name: string): Promise<{ placeId: string; matched: number }> {
  const q = await d.engine.query(engineInput(await imageSource(d.blobs, path)));
  const featuresPath = featuresFile(q.sha256);
  await d.blobs.put(featuresPath, Buffer.from(q.features));
  await d.store.addPlace({ _id: q.sha256, name, path, embedding: q.embedding, featuresPath });
  const candidates = (await d.store.similarityCandidates())
    .filter((c) => c.embedding && c.featuresPath && c.sha256 !== q.sha256)
    .map((c) => ({ c, cos: cosine(q.embedding, c.embedding!) }))
    .sort((a, b) => b.cos - a.cos)
    .slice(0, VERIFY_TOP);
  let matched = 0;
  const matches = candidates.length ? await d.engine.match(q.features, await Promise.all(candidates.map(({ c }) => d.blobs.get(c.featuresPath!)))) : [];
  const matcherVersion = d.engine.models.matcher.ok ? d.engine.models.matcher.model.version : 'unknown';
  for (const [i, { c, cos }] of candidates.entries()) {
    const local = matches[i]!;
    if (local.inliers < MIN_SCENE_INLIERS) continue;
    await d.store.addLocationClue(c.sha256, {
      type: 'location',
      value: name,
      tokens: uniqueTokens(name),
      score: sceneScore({ cosine: cos, local }),
      detail: { placeId: q.sha256, cosine: Math.round(cos * 1000) / 1000, inliers: local.inliers, matches: local.matches, matchedWhen: 'place added' },
    }, { name: SCENE_MATCH_MODEL_NAME, version: matcherVersion });
    matched++;
  }
  return { placeId: q.sha256, matched };
}

import { uniqueTokens } from '../core/tokens';
import type { ImageEngine, ImageInput } from '../engine/image-engine';
import { featuresKey } from '../blobs/keys';
import { cosine, MIN_SCENE_INLIERS, sceneScore } from '../models/similarity';
import { SCENE_MATCH_MODEL_NAME } from '../models/scene-from-objects';
import type { Store } from '../store';
import { blobRef, type BlobStore } from '../blobs/blob-store';
import { regionVotes, type RegionSearch } from './region-votes';
import { SHORTLIST } from './similar-images';

export interface KnownPlaceDeps {
  store: Pick<Store, 'images' | 'places'>;
  engine: ImageEngine;
  blobs: BlobStore;
  index: RegionSearch;
}

/**
 * Adds a reference image of a known place and matches the images already stored against it, so
 * that earlier images of the place gain a `location` clue too. Returns how many matched. An
 * uploaded picture is kept under places/ (uploads expire), a file where it is.
 */
export async function addKnownPlace(d: KnownPlaceDeps, place: { image: ImageInput; path: string; name: string }): Promise<{ placeId: string; matched: number }> {
  const { image, name } = place;
  const q = await d.engine.query(image);
  const featuresPath = featuresKey(q.sha256);
  await d.blobs.put(featuresPath, Buffer.from(q.features));
  let path = place.path;
  if ('bytes' in image) {
    await d.blobs.put(`places/${q.sha256}`, Buffer.from(image.bytes));
    path = blobRef(`places/${q.sha256}`);
  }
  await d.store.places.add({ _id: q.sha256, name, path, embedding: q.embedding, featuresPath });
  // The stored images whose regions are nearest the place's (the vector index), never all of them.
  const votes = q.regions ? (await regionVotes(d.index, q.regions)).slice(0, SHORTLIST) : [];
  const candidates = (await d.store.images.candidatesByPrefix(votes.map((v) => v.prefix)))
    .filter((c) => c.embedding && c.featuresPath && c.sha256 !== q.sha256)
    .map((c) => ({ c, cos: cosine(q.embedding, c.embedding!) }))
    .sort((a, b) => b.cos - a.cos)

  let matched = 0;
  const matches = candidates.length ? await d.engine.match(q.features, await Promise.all(candidates.map(({ c }) => d.blobs.get(c.featuresPath!)))) : [];
  const matcherVersion = d.engine.models.matcher.ok ? d.engine.models.matcher.model.version : 'unknown';
  for (const [i, { c, cos }] of candidates.entries()) {
    const local = matches[i]!;
    if (local.inliers < MIN_SCENE_INLIERS) continue;
    await d.store.images.addClues(c.sha256, 'places', [{
      type: 'location',
      value: name,
      tokens: uniqueTokens(name),
      score: sceneScore({ cosine: cos, local }),
      detail: { placeId: q.sha256, cosine: Math.round(cos * 1000) / 1000, inliers: local.inliers, matches: local.matches, matchedWhen: 'place added' },
    }], { name: SCENE_MATCH_MODEL_NAME, version: matcherVersion });
    matched++;
  }
  return { placeId: q.sha256, matched };
}

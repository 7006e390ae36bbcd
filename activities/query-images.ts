import { addKnownPlace } from '../client/known-places';
import { findSimilar, type SimilarHit } from '../client/similar-images';
import { describeQuery } from '../models/query-descriptors';
import type { Models } from '../models/registry';
import type { MongoClueStore } from '../store/clue-store';
import type { BlobStore } from '../storage/blob-store';
import { asActivityError } from './errors';
import { imageSource } from './image-source';
import { withHeartbeat } from './heartbeat';

interface QueryDeps {
  store: MongoClueStore;
  models: Pick<Models, 'embedder' | 'matcher'>;
  blobs: BlobStore;
  maxPixels: number;
}

function ready(models: QueryDeps['models']) {
  if (!models.embedder.ok) throw new Error(`no image embedder: ${models.embedder.reason}`);
  if (!models.matcher.ok) throw new Error(`no local-feature matcher: ${models.matcher.reason}`);
  return { embedder: models.embedder.value, matcher: models.matcher.value };
}

/** Query by example for the API: the models stay in the worker, the API stays small. */
export function findSimilarImages(d: QueryDeps) {
  return (input: { path: string; limit: number; caseId?: string }): Promise<SimilarHit[]> =>
    asActivityError(async () => {
      const { embedder, matcher } = ready(d.models);
      const q = await describeQuery(await imageSource(d.blobs, input.path), d.maxPixels, embedder, matcher);
      return withHeartbeat(() => findSimilar(d.store, matcher, d.blobs, q, { limit: input.limit, ...(input.caseId ? { caseId: input.caseId } : {}) }));
    });
}

export function addPlace(d: QueryDeps) {
  return (input: { path: string; name: string }): Promise<{ placeId: string; matched: number }> =>
    asActivityError(async () => {
      const { embedder, matcher } = ready(d.models);
      return withHeartbeat(() => addKnownPlace({ store: d.store, embedder, matcher, blobs: d.blobs, maxPixels: d.maxPixels }, input.path, input.name));
    });
}

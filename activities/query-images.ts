import type { ImageEngine } from '../engine/image-engine';
import type { Store } from '../store';
import { addKnownPlace } from '../usecases/known-places';
import type { RegionSearch } from '../usecases/region-votes';
import { findSimilar, type SimilarResult } from '../usecases/similar-images';
import type { BlobStore } from '../blobs/blob-store';
import { asActivityError } from './errors';
import { engineInput, imageSource } from './image-source';
import { withHeartbeat } from './heartbeat';

interface QueryDeps {
  store: Pick<Store, 'images' | 'places' | 'regions'>;
  engine: ImageEngine;
  blobs: BlobStore;
  index: RegionSearch;
}

function ready(engine: ImageEngine): void {
  const { embedder, matcher } = engine.models;
  if (!embedder.ok) throw new Error(`no image embedder: ${embedder.reason}`);
  if (!matcher.ok) throw new Error(`no local-feature matcher: ${matcher.reason}`);
}

/** Query by example for the API: the models stay in the worker, the API stays small. */
export function findSimilarImages(d: QueryDeps) {
  return (input: { path: string; limit: number; caseId?: string }): Promise<SimilarResult> =>
    asActivityError(async () => {
      ready(d.engine);
      return withHeartbeat(async () => {
        const q = await d.engine.query(engineInput(await imageSource(d.blobs, input.path)));
        return findSimilar(d, q, { limit: input.limit, ...(input.caseId ? { caseId: input.caseId } : {}) });
      });
    });
}

export function addPlace(d: QueryDeps) {
  return (input: { path: string; name: string }): Promise<{ placeId: string; matched: number }> =>
    asActivityError(async () => {
      ready(d.engine);
      return withHeartbeat(async () => addKnownPlace(d, { image: engineInput(await imageSource(d.blobs, input.path)), path: input.path, name: input.name }));
    });
}

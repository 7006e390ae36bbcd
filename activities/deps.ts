import type { BlobStore } from '../blobs/blob-store';
import type { ImageEngine } from '../engine/image-engine';
import type { Store } from '../store';
import type { RegionSearch } from '../usecases/region-votes';

/** What activities are built from; the worker is the one place that builds the real ones. */
export interface ActivityDeps {
  store: Store;
  /** This worker's own CPU task queue: the image's stages come back to the engine that decoded it. */
  ownQueue: string;
  /** Frames of one multi-page file processed as images (CLUES_MAX_FRAMES). */
  maxFrames?: number;
  /** Every decoder and model, in a process of its own (engine/engine-process.ts). */
  engine: ImageEngine;
  /** Shared storage: crops, keypoint files, run listings; uploaded query images are read from it. */
  blobs: BlobStore;
  /** The image-region vector index this process holds (vectors/region-index.ts): search by example. */
  index: RegionSearch;
}

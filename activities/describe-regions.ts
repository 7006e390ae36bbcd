import type { ImageRef, StageOutcome } from '../core/clues';
import type { ImageEngine, RegionBox } from '../engine/image-engine';
import type { BlobStore } from '../blobs/blob-store';
import { asActivityError } from './errors';
import { engineInput, imageSource } from './image-source';
import { withHeartbeat } from './heartbeat';

/** The stage's data as it crosses Temporal (JSON): the vectors as base64. */
export interface RegionsData {
  dims: number;
  kinds: string;
  boxes: { x: number; y: number; w: number; h: number }[];
  vectors: string;
}

/** Detected boxes to pool as regions too: none yet (see the note in docs/similar.md). */
const NO_BOXES: RegionBox[] = [];

/**
 * Region descriptors (visual search): the whole image and an R-MAC grid, for the vector index.
 * Saved with the image (store/region-vectors.ts). The stage reads no other stage's output: one that
 * did (the objects' and text's boxes) would make every image stored before it re-run those stages
 * too (core/clues.ts stagesToRerun), the costliest two.
 */
export function describeRegions(engine: ImageEngine, blobs: BlobStore) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      const available = engine.models.regions;
      if (!available.ok) return { stage: 'regions', status: 'unavailable', reason: available.reason, clues: [] };
      const started = Date.now();
      const src = await imageSource(blobs, ref.path);
      const r = await withHeartbeat(() => engine.regions(engineInput(src, ref.sha256), NO_BOXES));
      const data: RegionsData = { dims: r.dims, kinds: r.kinds, boxes: r.boxes, vectors: Buffer.from(r.vectors.buffer, r.vectors.byteOffset, r.vectors.byteLength).toString('base64') };
      return { stage: 'regions', status: 'ok', model: available.model, clues: [], data: data as unknown as Record<string, unknown>, durationMs: Date.now() - started };
    });
}

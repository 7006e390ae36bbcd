import type { RegionBox } from '../engine/image-engine';
import type { StageDefinition } from './stage';

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
 * Saved with the image (store/region-vectors.ts).
 */
export const describeRegions: StageDefinition<'regions'> = {
  async run({ engine }) {
    const r = await engine(NO_BOXES);
    const vectors = Buffer.from(r.vectors.buffer, r.vectors.byteOffset, r.vectors.byteLength).toString('base64');
    const data: RegionsData = { dims: r.dims, kinds: r.kinds, boxes: r.boxes, vectors };
    return { data: data as unknown as Record<string, unknown> };
  },
};

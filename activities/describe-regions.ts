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

type Inputs = Partial<Record<'objects' | 'text', StageOutcome>>;

/** The boxes the objects and text stages found, described as regions of their own. */
function boxesOf(inputs: Inputs): RegionBox[] {
  const of = (o: StageOutcome | undefined, kind: RegionBox['kind']) => (o?.status === 'ok' ? o.clues.flatMap((c) => (c.box ? [{ box: c.box, kind }] : [])) : []);
  return [...of(inputs.objects, 'object'), ...of(inputs.text, 'text')];
}

/**
 * Region descriptors (visual search): the whole image, an R-MAC grid and the boxes of its objects
 * and text, for the vector index. Saved with the image (store/region-vectors.ts).
 */
export function describeRegions(engine: ImageEngine, blobs: BlobStore) {
  return (ref: ImageRef & { inputs?: Inputs }): Promise<StageOutcome> =>
    asActivityError(async () => {
      const available = engine.models.regions;
      if (!available.ok) return { stage: 'regions', status: 'unavailable', reason: available.reason, clues: [] };
      const started = Date.now();
      const src = await imageSource(blobs, ref.path);
      const r = await withHeartbeat(() => engine.regions(engineInput(src, ref.sha256), boxesOf(ref.inputs ?? {})));
      const data: RegionsData = { dims: r.dims, kinds: r.kinds, boxes: r.boxes, vectors: Buffer.from(r.vectors.buffer, r.vectors.byteOffset, r.vectors.byteLength).toString('base64') };
      return { stage: 'regions', status: 'ok', model: available.model, clues: [], data: data as unknown as Record<string, unknown>, durationMs: Date.now() - started };
    });
}

import type { ClueInput, ImageRef, StageOutcome } from '../core/clues';
import type { ImageEngine } from '../engine/image-engine';
import type { BlobStore } from '../blobs/blob-store';
import { engineInput, imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/**
 * Faces with their boxes: for analysts (how many people, where), and for crop screening, which
 * refuses to publish a crop that touches one. No crop of a face is ever cut or stored.
 */
export function detectFaces(engine: ImageEngine, blobs: BlobStore) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      const available = engine.models.faces;
      if (!available.ok) return { stage: 'faces', status: 'unavailable', reason: available.reason, clues: [] };
      const started = Date.now();
      const src = await imageSource(blobs, ref.path);
      const { faces } = await withHeartbeat(() => engine.faces(engineInput(src, ref.sha256)));
      const clues: ClueInput[] = faces.map((f, i) => ({
        type: 'face',
        value: 'face',
        tokens: ['face'],
        box: f.box,
        score: f.score,
        detail: { index: i + 1, of: faces.length },
      }));
      return { stage: 'faces', status: 'ok', model: available.model, clues, durationMs: Date.now() - started };
    });
}

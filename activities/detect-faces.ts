import type { ClueInput, ImageRef, StageOutcome } from '../core/clues';
import { joinedModel, type ImageEngine } from '../engine/image-engine';
import type { Store } from '../store';
import type { BlobStore } from '../storage/blob-store';
import { engineInput, imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/**
 * Faces with their boxes: for analysts (how many people, where), and for crop screening, which
 * refuses to publish a crop that touches one. No crop of a face is ever cut or stored. Their
 * descriptors (biometric data) go straight to the store's faces, never into the workflow's
 * history; the clue says only whether the face is matchable, and why not.
 */
export function detectFaces(engine: ImageEngine, blobs: BlobStore, store?: Pick<Store, 'faces'>) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      const available = engine.models.faces;
      if (!available.ok) return { stage: 'faces', status: 'unavailable', reason: available.reason, clues: [] };
      const started = Date.now();
      const src = await imageSource(blobs, ref.path);
      const { faces } = await withHeartbeat(() => engine.faces(engineInput(src, ref.sha256)));
      const describer = engine.models.faceDescriber;
      const model = describer.ok ? joinedModel([available.model, describer.model]) : available.model;
      if (store) {
        await store.faces.saveImageFaces(ref.sha256, faces.map((f, i) => ({
          index: i + 1,
          box: f.box,
          score: f.score,
          quality: { ok: f.quality.ok && !!f.descriptor, reasons: f.quality.reasons },
          ...(f.descriptor ? { descriptor: f.descriptor } : {}),
          model,
        })));
      }
      const clues: ClueInput[] = faces.map((f, i) => ({
        type: 'face',
        value: 'face',
        tokens: ['face'],
        box: f.box,
        score: f.score,
        detail: { index: i + 1, of: faces.length, matchable: !!f.descriptor, ...(f.quality.reasons.length ? { notMatchable: f.quality.reasons.join('; ') } : {}) },
      }));
      return { stage: 'faces', status: 'ok', model, clues, durationMs: Date.now() - started };
    });
}

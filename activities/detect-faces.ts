import type { ClueInput } from '../core/clues';
import type { StageDefinition } from './stage';

/**
 * Faces with their boxes: for analysts (how many people, where), and for crop screening, which
 * refuses to publish a crop that touches one. No crop of a face is ever cut or stored. Their
 * descriptors (biometric data) go straight to the store's faces, never into the workflow's
 * history; the clue says only whether the face is matchable, and why not.
 */
export const detectFaces: StageDefinition<'faces'> = {
  async run({ ref, deps, engine, model }) {
    const { faces } = await engine();
    await deps.store.faces.saveImageFaces(
      ref.sha256,
      faces.map((f, i) => ({
        index: i + 1,
        box: f.box,
        score: f.score,
        quality: { ok: f.quality.ok && !!f.descriptor, reasons: f.quality.reasons },
        ...(f.descriptor ? { descriptor: f.descriptor } : {}),
        model,
      })),
    );
    const clues: ClueInput[] = faces.map((f, i) => ({
      type: 'face',
      value: 'face',
      tokens: ['face'],
      box: f.box,
      score: f.score,
      detail: {
        index: i + 1,
        of: faces.length,
        matchable: !!f.descriptor,
        ...(f.quality.reasons.length ? { notMatchable: f.quality.reasons.join('; ') } : {}),
      },
    }));
    return { clues };
  },
};

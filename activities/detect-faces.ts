import type { ClueInput } from '../core/clues';
import type { StageDefinition } from './stage';

/**
 * Faces with their boxes: for analysts (how many people, where), and for crop screening, which
 * refuses to publish a crop that touches one. No crop of a face is ever cut or stored.
 */
export const detectFaces: StageDefinition<'faces'> = {
  async run({ engine }) {
    const { faces } = await engine();
    const clues: ClueInput[] = faces.map((f, i) => ({
      type: 'face',
      value: 'face',
      tokens: ['face'],
      box: f.box,
      score: f.score,
      detail: { index: i + 1, of: faces.length },
    }));
    return { clues };
  },
};

import type { ClueInput } from '../core/clues';
import { joinedModel } from '../engine/image-engine';
import type { MergedLine } from '../models/text-merge';
import { plateClues } from '../where/plate-clues';
import type { StageDefinition } from './stage';

export function lineClue(line: MergedLine): ClueInput {
  return {
    type: 'text',
    value: line.text,
    tokens: line.tokens,
    box: line.box,
    score: Math.round(line.confidence * 1000) / 1000,
    detail: { words: line.words, readings: line.readings },
  };
}

/**
 * Visible text from every installed engine, merged into lines with word boxes and confidences.
 * An engine that fails on this image is named in the reason; the others' lines are kept, and the
 * stage records only the engines that read, so a later run tries the missing one again.
 */
export const readText: StageDefinition<'text'> = {
  async run({ engine }) {
    const res = await engine();
    const reason = [...res.failures.map((f) => `failed: ${f}`), ...res.notes].join('; ');
    // A licence plate is one clue whatever the OCR's line split (where/plate-clues.ts).
    const clues = [...res.lines.map(lineClue), ...plateClues(res.lines)];
    return { model: joinedModel(res.engines), clues, ...(reason ? { reason } : {}) };
  },
};

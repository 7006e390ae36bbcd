import type { ClueInput, ImageRef, StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import { orientedPng } from '../models/image-loader';
import type { Maybe } from '../models/registry';
import type { OcrLine, TextReader } from '../models/text-reader';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

/** Words read with less confidence than this are kept for display but not indexed for search. */
export const MIN_WORD_CONFIDENCE = 0.5;
const MAX_LINES = 2000;

export function lineClue(line: OcrLine): ClueInput | null {
  const confident = line.words.filter((w) => w.confidence >= MIN_WORD_CONFIDENCE);
  const tokens = [...new Set(confident.flatMap((w) => uniqueTokens(w.text, 2)))];
  if (tokens.length === 0) return null;
  return { type: 'text', value: line.text, tokens, box: line.box, score: line.confidence, detail: { words: line.words } };
}

/** Visible text, one clue per line, with word boxes and confidences. */
export function readText(reader: Maybe<TextReader>, maxPixels: number) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      if (!reader.ok) return { stage: 'text', status: 'unavailable', reason: reader.reason, clues: [] };
      const started = Date.now();
      const png = await orientedPng(ref.path, maxPixels);
      const lines = await withHeartbeat(() => reader.value.read(png));
      const clues = lines.map(lineClue).filter((c): c is ClueInput => c !== null).slice(0, MAX_LINES);
      return { stage: 'text', status: 'ok', model: reader.value.model, clues, durationMs: Date.now() - started };
    });
}

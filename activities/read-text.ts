import type { ClueInput, ImageRef, StageOutcome } from '../core/clues';
import { joinedModel, type ImageEngine } from '../engine/image-engine';
import type { MergedLine } from '../models/text-merge';
import type { BlobStore } from '../storage/blob-store';
import { plateClues } from '../where/plate-clues';
import { engineInput, imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

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
export function readText(engine: ImageEngine, blobs: BlobStore) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      const ready = engine.models.text.flatMap((t) => (t.ok ? [t.model] : []));
      if (ready.length === 0) {
        const reasons = engine.models.text.map((t) => (t.ok ? '' : t.reason)).filter(Boolean);
        return { stage: 'text', status: 'unavailable', reason: reasons.join('; ') || 'no OCR engine configured', clues: [] };
      }
      const started = Date.now();
      const src = await imageSource(blobs, ref.path);
      const res = await withHeartbeat(() => engine.text(engineInput(src, ref.sha256)));
      const reason = [...res.failures.map((f) => `failed: ${f}`), ...res.notes].join('; ');
      const clues = [...res.lines.map(lineClue), ...plateClues(res.lines)];
      return { stage: 'text', status: 'ok', model: joinedModel(res.engines), clues, ...(reason ? { reason } : {}), durationMs: Date.now() - started };
    });
}

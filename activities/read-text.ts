import { joinedModel } from './stage-models';
import type { ClueInput, ImageRef, ModelRef, StageOutcome } from '../core/clues';
import { orientedPng } from '../models/image-loader';
import type { Maybe } from '../models/registry';
import { mergeLines, type MergedLine } from '../models/text-merge';
import type { TextReader } from '../models/text-reader';
import type { BlobStore } from '../storage/blob-store';
import { imageSource } from './image-source';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';

const MAX_LINES = 2000;

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

/** Visible text from every installed engine, merged into lines with word boxes and confidences. */
export function readText(readers: Maybe<TextReader>[], maxPixels: number, blobs: BlobStore) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      const ready = readers.filter((r): r is { ok: true; value: TextReader } => r.ok).map((r) => r.value);
      if (ready.length === 0) {
        const reasons = readers.map((r) => (r.ok ? '' : r.reason)).filter(Boolean);
        return { stage: 'text', status: 'unavailable', reason: reasons.join('; ') || 'no OCR engine configured', clues: [] };
      }
      const started = Date.now();
      const png = await orientedPng(await imageSource(blobs, ref.path), maxPixels);
      const readings = await withHeartbeat(() =>
        Promise.all(ready.map(async (r) => ({ engine: r.model.name, lines: await r.read(png) }))),
      );
      const clues = mergeLines(readings).map(lineClue).slice(0, MAX_LINES);
      const model = joinedModel(ready.map((r) => r.model));
      return { stage: 'text', status: 'ok', model, clues, durationMs: Date.now() - started };
    });
}

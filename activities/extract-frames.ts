import { createHash } from 'node:crypto';
import type { FramesSummary, ImageRef } from '../core/clues';
import type { ImageEngine } from '../engine/image-engine';
import { blobRef, type BlobStore } from '../blobs/blob-store';
import { frameKey } from '../blobs/keys';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';
import { engineInput, imageSource } from './image-source';

export interface ExtractedFrame {
  /** 1-based. */
  index: number;
  /** A blob reference to the frame's PNG. */
  path: string;
  sha256: string;
}

/** Which frames (1-based) of `count` to process, at most `max`: all, or evenly spread from the first. */
export function framesToProcess(count: number, max: number): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i + 1);
  if (max === 1) return [1];
  return [...new Set(Array.from({ length: max }, (_, k) => 1 + Math.round((k * (count - 1)) / (max - 1))))];
}

/**
 * The frames beyond the first of a multi-page file (an animated GIF, a multi-page TIFF), each
 * kept in shared storage as a PNG to be processed as an image of its own; the first is the file's
 * own image. Frames over the limit are listed, with the reason.
 */
export function extractFrames(engine: ImageEngine, blobs: BlobStore, maxFrames: number) {
  return (input: { ref: ImageRef; count: number }): Promise<{ frames: ExtractedFrame[]; summary: FramesSummary }> =>
    asActivityError(async () => {
      const { ref, count } = input;
      const wanted = framesToProcess(count, maxFrames);
      const src = await imageSource(blobs, ref.path);
      const pngs = await withHeartbeat(() => engine.frames(engineInput(src, ref.sha256), wanted.filter((i) => i > 1).map((i) => i - 1)));
      const frames: ExtractedFrame[] = [];
      for (const { page, png } of pngs) {
        const key = frameKey(ref.sha256, page + 1);
        await blobs.put(key, Buffer.from(png), 'image/png');
        frames.push({ index: page + 1, path: blobRef(key), sha256: createHash('sha256').update(png).digest('hex') });
      }
      const left = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !wanted.includes(i));
      return {
        frames,
        summary: { count, processed: wanted, images: frames.map((f) => ({ index: f.index, sha256: f.sha256 })), ...(left.length ? { notProcessed: { frames: left, reason: `over the limit of ${maxFrames} frames a file (CLUES_MAX_FRAMES)` } } : {}) },
      };
    });
}

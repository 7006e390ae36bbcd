import type { Face, FaceDetector } from './face-detector';
import { scaleRgb, type DecodedImage } from './image-loader';
import { nonMaxSuppression } from './nms';
import { moveBox, readTiled, type InputLimits } from './tiles';

/** An image smaller than the detector's side is enlarged to it (at most 1.5x; 3x found no more faces on the eval set and made a dog's face score 0.96): a 40 px face in a 640 px photo is at the edge of its smallest anchors. */
const MAX_ENLARGE = 1.5;
/** Above this longest side, tiles at twice the whole-image pass's resolution find faces too small for that pass. */
const TILE_FROM = 1440;
const TILE_LIMITS = (side: number): InputLimits => ({ maxSide: side, maxAspect: 2, minSide: 16, maxTiles: 16 });

/** The image at most `side` pixels on its longest side (never enlarged), with its scale to original pixels. */
export type ImageAtSide = (side: number) => Promise<DecodedImage>;

/**
 * Faces in oriented pixels: the whole image at the detector's side, and for large photos tiles at
 * up to twice that resolution; boxes found twice are merged (non-maximum suppression).
 */
export async function scanFaces(detector: FaceDetector, at: ImageAtSide, original: { width: number; height: number }): Promise<Face[]> {
  const side = detector.inputSide;
  let whole = await at(side);
  const grow = Math.min(MAX_ENLARGE, side / Math.max(whole.width, whole.height));
  if (grow > 1.05) {
    const bigger = await scaleRgb(whole, grow);
    whole = { ...bigger, channels: 3, scale: whole.scale / (bigger.width / whole.width) };
  }
  const found = (await detector.detect(whole)).map((f) => inOriginal(f, 0, 0, whole.scale));
  if (Math.max(original.width, original.height) > TILE_FROM) {
    const fine = await at(2 * side);
    const tiled = await readTiled(fine, TILE_LIMITS(side), (tile) => detector.detect({ ...tile, channels: 3, scale: 1 }), (f, dx, dy) => inOriginal(f, dx, dy, 1), scaleRgb);
    found.push(...tiled.items.map((f) => inOriginal(f, 0, 0, fine.scale)));
  }
  return nonMaxSuppression(found.map((f) => ({ ...f, label: 'face' })), 0.4)
    .map(({ label: _label, ...f }) => f)
    .sort((a, b) => b.score - a.score);
}

function inOriginal(f: Face, dx: number, dy: number, k: number): Face {
  return {
    ...f,
    box: moveBox(f.box, dx, dy, k),
    ...(f.landmarks ? { landmarks: f.landmarks.map(([x, y]): [number, number] => [Math.round((x + dx) * k), Math.round((y + dy) * k)]) } : {}),
  };
}


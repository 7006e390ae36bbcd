import type { Box } from '../core/clues';

/** Raw interleaved RGB pixels, oriented as displayed. */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * What one engine can take in a single call. Larger or more elongated images are cut into
 * overlapping tiles (a 1080 x 33,000 scrolling screenshot, a panorama) rather than refused or
 * squashed until their text is unreadable.
 */
export interface InputLimits {
  /** Longest side of one call's input. */
  maxSide: number;
  /** Longest side over shortest side of one call's input. */
  maxAspect: number;
  /** Below this on either side the engine cannot find anything: the image is not sent to it. */
  minSide: number;
  /** Beyond this many tiles the image is scaled down first, so one file cannot cost hours. */
  maxTiles: number;
}

export interface Tile extends Box {
  /** The part of the tile this tile answers for: tiles overlap, cores do not. */
  core: { x0: number; y0: number; x1: number; y1: number };
}

/** Splits [0, length) into n windows of `size` that overlap, with cores meeting mid-overlap. */
function spans(length: number, size: number, overlap: number): { at: number; from: number; to: number }[] {
  if (length <= size) return [{ at: 0, from: 0, to: length }];
  const n = Math.ceil((length - size) / Math.max(1, Math.floor(size * (1 - overlap)))) + 1;
  const starts = Array.from({ length: n }, (_, i) => Math.round((i * (length - size)) / (n - 1)));
  return starts.map((at, i) => ({
    at,
    from: i === 0 ? 0 : Math.round((at + starts[i - 1]! + size) / 2),
    to: i === n - 1 ? length : Math.round((starts[i + 1]! + at + size) / 2),
  }));
}

/**
 * Tiles overlap by half: with the centre rule of readTiled, anything up to half a tile long lies
 * whole inside the tile that reports it, so a line of text is not cut at a tile's edge.
 */
const OVERLAP = 0.5;

/** Tiles that cover the image within the limits; one tile (the whole image) when it fits. */
export function tilesFor(width: number, height: number, limits: Pick<InputLimits, 'maxSide' | 'maxAspect'>, overlap = OVERLAP): Tile[] {
  let tw = Math.min(width, limits.maxSide);
  let th = Math.min(height, limits.maxSide);
  if (th > tw * limits.maxAspect) th = Math.floor(tw * limits.maxAspect);
  if (tw > th * limits.maxAspect) tw = Math.floor(th * limits.maxAspect);
  const out: Tile[] = [];
  for (const ys of spans(height, Math.max(1, th), overlap)) {
    for (const xs of spans(width, Math.max(1, tw), overlap)) {
      out.push({ x: xs.at, y: ys.at, w: Math.min(tw, width), h: Math.min(th, height), core: { x0: xs.from, y0: ys.from, x1: xs.to, y1: ys.to } });
    }
  }
  return out;
}

/** A region of an RGB image, copied row by row. */
export function cropRgb(img: RgbImage, box: Box): RgbImage {
  if (box.x === 0 && box.w === img.width) {
    return { data: img.data.subarray(box.y * img.width * 3, (box.y + box.h) * img.width * 3), width: box.w, height: box.h };
  }
  const out = Buffer.allocUnsafe(box.w * box.h * 3);
  for (let y = 0; y < box.h; y++) img.data.copy(out, y * box.w * 3, ((box.y + y) * img.width + box.x) * 3, ((box.y + y) * img.width + box.x + box.w) * 3);
  return { data: out, width: box.w, height: box.h };
}

export interface TiledResult<T> {
  items: T[];
  tiles: number;
  /** Why the engine saw less than the whole image at full size, if it did. */
  note?: string;
}

/**
 * Runs `read` on each tile and keeps each item found in the tile whose core holds its centre,
 * with its box moved back into image coordinates. `scaleDown` is how the caller shrinks an image
 * that would need more than `maxTiles` tiles.
 */
export async function readTiled<T extends { box: Box }>(
  img: RgbImage,
  limits: InputLimits,
  read: (tile: RgbImage) => Promise<T[]>,
  move: (item: T, dx: number, dy: number, scale: number) => T,
  scaleDown: (img: RgbImage, factor: number) => Promise<RgbImage>,
): Promise<TiledResult<T>> {
  if (Math.min(img.width, img.height) < limits.minSide) {
    return { items: [], tiles: 0, note: `image is ${img.width}x${img.height}: below this engine's ${limits.minSide} px minimum side` };
  }
  // Too many tiles: first allow more elongated tiles (an extreme strip), then scale the image
  // down (an image too large on both sides).
  let shape = { maxSide: limits.maxSide, maxAspect: limits.maxAspect };
  let tiles = tilesFor(img.width, img.height, shape);
  while (tiles.length > limits.maxTiles && shape.maxAspect < Math.max(img.width, img.height)) {
    shape = { ...shape, maxAspect: shape.maxAspect * 1.5 };
    tiles = tilesFor(img.width, img.height, shape);
  }
  let source = img;
  let scale = 1;
  let note: string | undefined;
  if (tiles.length > limits.maxTiles) {
    scale = Math.sqrt(limits.maxTiles / tiles.length);
    source = await scaleDown(img, scale);
    tiles = tilesFor(source.width, source.height, shape);
    note = `scaled to ${source.width}x${source.height} to stay within ${limits.maxTiles} tiles`;
  }
  if (tiles.length > 1) note = [note, `read in ${tiles.length} tiles`].filter(Boolean).join('; ');
  const items: T[] = [];
  for (const t of tiles) {
    const found = tiles.length === 1 ? await read(source) : await read(cropRgb(source, t));
    for (const item of found) {
      const cx = t.x + item.box.x + item.box.w / 2;
      const cy = t.y + item.box.y + item.box.h / 2;
      if (cx < t.core.x0 || cx >= t.core.x1 || cy < t.core.y0 || cy >= t.core.y1) continue;
      items.push(move(item, t.x, t.y, 1 / scale));
    }
  }
  return { items, tiles: tiles.length, ...(note ? { note } : {}) };
}

/** A box moved by (dx, dy) in tile pixels, then scaled back to the original image. */
export function moveBox(b: Box, dx: number, dy: number, scale: number): Box {
  return { x: Math.round((b.x + dx) * scale), y: Math.round((b.y + dy) * scale), w: Math.max(1, Math.round(b.w * scale)), h: Math.max(1, Math.round(b.h * scale)) };
}

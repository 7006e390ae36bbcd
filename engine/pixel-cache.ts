import type { RgbImage } from '../models/tiles';

/** An image decoded once: oriented RGB pixels, at most the engine's pixel budget. */
export interface DecodedImage extends RgbImage {
  /** Size as displayed (after EXIF orientation), before any reduction. */
  original: { width: number; height: number };
  /** Original width over decoded width (1 unless the image was larger than the budget). */
  scale: number;
}

/**
 * The decoded pixels of the images this engine works on, least recently used first out, bounded
 * by bytes: every stage of an image reads the same pixels instead of decoding the file again.
 */
export class PixelCache {
  private readonly entries = new Map<string, DecodedImage>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): DecodedImage | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, image: DecodedImage): void {
    if (image.data.length > this.maxBytes) return; // larger than the whole cache: not kept
    const old = this.entries.get(key);
    if (old) this.bytes -= old.data.length;
    this.entries.delete(key);
    this.entries.set(key, image);
    this.bytes += image.data.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.data.length;
    }
  }

  get size(): { images: number; bytes: number } {
    return { images: this.entries.size, bytes: this.bytes };
  }
}

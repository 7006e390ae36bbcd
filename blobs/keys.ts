// Where derived files live in shared storage, by content: a re-run writes the same keys.

/** An image's local-feature keypoints. */
export function featuresKey(sha256: string): string {
  return `features/${sha256.slice(0, 2)}/${sha256}.orb`;
}

/** A padded crop of one detected object. */
export function cropKey(sha256: string, label: string, box: { x: number; y: number; w: number; h: number }): string {
  return `crops/${sha256.slice(0, 2)}/${sha256}-${label.replace(/\W+/g, '_')}-${box.x}-${box.y}-${box.w}-${box.h}.jpg`;
}

/** A frame or page (1-based) of a multi-page file, extracted as PNG. */
export function frameKey(sha256: string, index: number): string {
  return `frames/${sha256.slice(0, 2)}/${sha256}/${index}.png`;
}

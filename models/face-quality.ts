import { CHIP_SIDE } from './face-align';

/**
 * Which faces are good enough to match. A poor face (too small, blurred, turned away) gives a
 * descriptor that lands near other people's: kept out of matching and grouping, with the reason,
 * while its box stays a face clue like any other. The limits are set on the eval's `tune` half
 * (eval/faces.ts), never on its `report` half.
 */
export const FACE_QUALITY = {
  /** The face box's shorter side, in the original image's pixels. */
  minSide: 32,
  /** |yaw| estimated from the landmarks, in degrees. */
  maxYaw: 40,
  /** Variance of the Laplacian of the chip's centre (grey levels squared): sharper is larger. */
  minSharpness: 12,
} as const;

export interface FaceQuality {
  /** Matchable: every check passed. */
  ok: boolean;
  /** Why not, for people ("face 24 px, under 32"). */
  reasons: string[];
  side: number;
  yaw: number;
  sharpness: number;
}

/**
 * Yaw from the five landmarks: how far the nose tip sits from the eyes' midline, over the eyes'
 * distance (about 0 frontal, 0.5 at a three-quarter view), mapped to degrees by asin. Rough, and
 * only used to keep profiles out of matching.
 */
export function yawOf(landmarks: readonly [number, number][]): number {
  const [l, r, nose] = landmarks as [[number, number], [number, number], [number, number]];
  const ex = r[0] - l[0], ey = r[1] - l[1];
  const iod = Math.hypot(ex, ey) || 1;
  const mid: [number, number] = [(l[0] + r[0]) / 2, (l[1] + r[1]) / 2];
  // The nose's offset along the eye line, from the midpoint, in eye distances.
  const along = ((nose[0] - mid[0]) * ex + (nose[1] - mid[1]) * ey) / (iod * iod);
  return Math.round((Math.asin(Math.max(-1, Math.min(1, along / 0.6))) * 180) / Math.PI);
}

/** Variance of the 4-neighbour Laplacian over the chip's central half (the face, not its margin). */
export function sharpnessOf(chip: Uint8Array): number {
  const S = CHIP_SIDE;
  const grey = (x: number, y: number) => {
    const o = (y * S + x) * 3;
    return 0.299 * chip[o]! + 0.587 * chip[o + 1]! + 0.114 * chip[o + 2]!;
  };
  const from = Math.floor(S / 4), to = Math.ceil((3 * S) / 4);
  let sum = 0, sq = 0, n = 0;
  for (let y = from; y < to; y++) {
    for (let x = from; x < to; x++) {
      const l = grey(x - 1, y) + grey(x + 1, y) + grey(x, y - 1) + grey(x, y + 1) - 4 * grey(x, y);
      sum += l; sq += l * l; n++;
    }
  }
  const mean = sum / n;
  return Math.round((sq / n - mean * mean) * 10) / 10;
}

export function faceQuality(box: { w: number; h: number }, landmarks: readonly [number, number][], chip: Uint8Array): FaceQuality {
  const side = Math.round(Math.min(box.w, box.h));
  const yaw = yawOf(landmarks);
  const sharpness = sharpnessOf(chip);
  const reasons: string[] = [];
  if (side < FACE_QUALITY.minSide) reasons.push(`face ${side} px, under ${FACE_QUALITY.minSide}`);
  if (Math.abs(yaw) > FACE_QUALITY.maxYaw) reasons.push(`turned about ${Math.abs(yaw)}°, over ${FACE_QUALITY.maxYaw}°`);
  if (sharpness < FACE_QUALITY.minSharpness) reasons.push(`blurred (sharpness ${sharpness}, under ${FACE_QUALITY.minSharpness})`);
  return { ok: reasons.length === 0, reasons, side, yaw, sharpness };
}

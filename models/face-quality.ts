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
  /**
   * sharpnessOf: the Laplacian's variance over the grey levels' variance (x100) at the chip's
   * centre. On the tune half no floor from 0 to 5 let two people match (npm run eval --
   * --face-gate): 1 keeps out only the most blurred faces, where a descriptor says little.
   */
  minSharpness: 1,
  /** lowerFaceDetail: the mouth band's Laplacian variance over the eye band's. */
  minLowerFace: 0.08,
} as const;

export interface FaceQuality {
  /** Matchable: every check passed. */
  ok: boolean;
  /** Why not, for people ("face 24 px, under 32"). */
  reasons: string[];
  side: number;
  yaw: number;
  sharpness: number;
  lowerFace: number;
}

/**
 * Yaw from the five landmarks: how far the nose tip sits from the eyes' midline, over the eyes'
 * distance (about 0 frontal, 0.5 at a three-quarter view), mapped to degrees by asin. Rough, and
 * only used to keep profiles out of matching.
 */
export function yawOf(landmarks: readonly [number, number][]): number {
  const [l, r, nose] = landmarks as [[number, number], [number, number], [number, number]];
  const ex = r[0] - l[0],
    ey = r[1] - l[1];
  const iod = Math.hypot(ex, ey) || 1;
  const mid: [number, number] = [(l[0] + r[0]) / 2, (l[1] + r[1]) / 2];
  // The nose's offset along the eye line, from the midpoint, in eye distances.
  const along = ((nose[0] - mid[0]) * ex + (nose[1] - mid[1]) * ey) / (iod * iod);
  return Math.round((Math.asin(Math.max(-1, Math.min(1, along / 0.6))) * 180) / Math.PI);
}

/** Grey level of a chip pixel. */
function grey(chip: Uint8Array, x: number, y: number): number {
  const o = (y * CHIP_SIDE + x) * 3;
  return 0.299 * chip[o]! + 0.587 * chip[o + 1]! + 0.114 * chip[o + 2]!;
}

/** Variance of the 4-neighbour Laplacian, and of the grey levels, over a band of the chip. */
function bandStats(
  chip: Uint8Array,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
): { lap: number; grey: number } {
  let sum = 0,
    sq = 0,
    gs = 0,
    gq = 0,
    n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const g = grey(chip, x, y);
      const l =
        grey(chip, x - 1, y) + grey(chip, x + 1, y) + grey(chip, x, y - 1) + grey(chip, x, y + 1) - 4 * g;
      sum += l;
      sq += l * l;
      gs += g;
      gq += g * g;
      n++;
    }
  }
  return { lap: sq / n - (sum / n) ** 2, grey: gq / n - (gs / n) ** 2 };
}

/**
 * Sharpness of the face (the chip's central half): the Laplacian's variance over the grey
 * levels' variance, x1000, so that a dark or low-contrast photo is not taken for a blurred one.
 */
export function sharpnessOf(chip: Uint8Array): number {
  const S = CHIP_SIDE;
  const { lap, grey: g } = bandStats(
    chip,
    Math.floor(S / 4),
    Math.ceil((3 * S) / 4),
    Math.floor(S / 4),
    Math.ceil((3 * S) / 4),
  );
  return Math.round((1000 * lap) / Math.max(g, 1)) / 10;
}

/**
 * How much detail the mouth band has against the eye band (Laplacian variances): near 0 when the
 * lower face is covered by something flat (a mask, a bar, a hand in shadow).
 */
export function lowerFaceDetail(chip: Uint8Array): number {
  const eyes = bandStats(chip, 35, 115, 32, 60);
  const mouth = bandStats(chip, 45, 105, 92, 115);
  return Math.round((100 * mouth.lap) / Math.max(eyes.lap, 1)) / 100;
}

export function faceQuality(
  box: { w: number; h: number },
  landmarks: readonly [number, number][],
  chip: Uint8Array,
): FaceQuality {
  const side = Math.round(Math.min(box.w, box.h));
  const yaw = yawOf(landmarks);
  const sharpness = sharpnessOf(chip);
  const lowerFace = lowerFaceDetail(chip);
  const reasons: string[] = [];
  if (side < FACE_QUALITY.minSide) reasons.push(`face ${side} px, under ${FACE_QUALITY.minSide}`);
  if (Math.abs(yaw) > FACE_QUALITY.maxYaw)
    reasons.push(`turned about ${Math.abs(yaw)}°, over ${FACE_QUALITY.maxYaw}°`);
  if (sharpness < FACE_QUALITY.minSharpness)
    reasons.push(`blurred (sharpness ${sharpness}, under ${FACE_QUALITY.minSharpness})`);
  if (lowerFace < FACE_QUALITY.minLowerFace)
    reasons.push(
      `lower face covered or featureless (detail ${lowerFace}, under ${FACE_QUALITY.minLowerFace})`,
    );
  return { ok: reasons.length === 0, reasons, side, yaw, sharpness, lowerFace };
}

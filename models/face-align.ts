import type { RgbImage } from './tiles';

/** dlib's face chip: 150 x 150, the face with a 0.25 margin (what the descriptor was trained on). */
export const CHIP_SIDE = 150;

/**
 * Where dlib's get_face_chip (size 150, padding 0.25, its 5-point shape predictor) puts the five
 * points RetinaFace gives: eye centres, nose tip, mouth corners (image left first). Measured by
 * scripts/dev/face-reference.py template on 29 faces of the eval's identity photos, as the mean
 * of dlib's 68-point landmarks carried into its chips (spread 5-8 px per point).
 */
export const CHIP_TEMPLATE: readonly [number, number][] = [
  [46.992, 46.212],
  [100.573, 44.369],
  [73.053, 76.793],
  [51.166, 103.165],
  [101.986, 100.803],
];

/** x' = a x - b y + tx, y' = b x + a y + ty: rotation, uniform scale and shift. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** The similarity transform taking `from` onto `to` in the least-squares sense (no reflection). */
export function fitSimilarity(from: readonly [number, number][], to: readonly [number, number][]): Similarity {
  const n = from.length;
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]![0]; fy += from[i]![1]; tx += to[i]![0]; ty += to[i]![1];
  }
  fx /= n; fy /= n; tx /= n; ty /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i]![0] - fx, py = from[i]![1] - fy;
    const qx = to[i]![0] - tx, qy = to[i]![1] - ty;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm === 0) throw new Error('landmarks coincide');
  const a = dot / norm, b = cross / norm;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

export const applySimilarity = (t: Similarity, [x, y]: readonly [number, number]): [number, number] => [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d, b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/**
 * The face cut and aligned as dlib's chip: the five landmarks (in the image's pixels) mapped onto
 * the template, sampled bilinearly. A face much larger than the chip is sampled at several points
 * per chip pixel and averaged, so that it is reduced without aliasing, as a resize would.
 */
export function alignedChip(image: RgbImage, landmarks: readonly [number, number][]): Uint8Array {
  const toChip = fitSimilarity(landmarks, CHIP_TEMPLATE);
  const back = invertSimilarity(toChip);
  const step = Math.hypot(back.a, back.b); // image pixels per chip pixel
  const k = Math.max(1, Math.min(4, Math.floor(step)));
  const { data, width: W, height: H } = image;
  const out = new Uint8Array(CHIP_SIDE * CHIP_SIDE * 3);
  const acc = [0, 0, 0];
  for (let v = 0; v < CHIP_SIDE; v++) {
    for (let u = 0; u < CHIP_SIDE; u++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let sv = 0; sv < k; sv++) {
        for (let su = 0; su < k; su++) {
          const cu = u + (su + 0.5) / k - 0.5, cv = v + (sv + 0.5) / k - 0.5;
          const x = back.a * cu - back.b * cv + back.tx;
          const y = back.b * cu + back.a * cv + back.ty;
          // Outside the image reads as black, as dlib's chip does.
          const x0 = Math.floor(x), y0 = Math.floor(y);
          const dx = x - x0, dy = y - y0;
          for (let c = 0; c < 3; c++) {
            const px = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= W || yy >= H ? 0 : data[(yy * W + xx) * 3 + c]!);
            acc[c]! += (px(x0, y0) * (1 - dx) + px(x0 + 1, y0) * dx) * (1 - dy) + (px(x0, y0 + 1) * (1 - dx) + px(x0 + 1, y0 + 1) * dx) * dy;
          }
        }
      }
      const o = (v * CHIP_SIDE + u) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(acc[c]! / (k * k));
    }
  }
  return out;
}

import sharp from 'sharp';
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
export function fitSimilarity(
  from: readonly [number, number][],
  to: readonly [number, number][],
): Similarity {
  const n = from.length;
  let fx = 0,
    fy = 0,
    tx = 0,
    ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]![0];
    fy += from[i]![1];
    tx += to[i]![0];
    ty += to[i]![1];
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let dot = 0,
    cross = 0,
    norm = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i]![0] - fx,
      py = from[i]![1] - fy;
    const qx = to[i]![0] - tx,
      qy = to[i]![1] - ty;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm === 0) throw new Error('landmarks coincide');
  const a = dot / norm,
    b = cross / norm;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

export const applySimilarity = (t: Similarity, [x, y]: readonly [number, number]): [number, number] => [
  t.a * x - t.b * y + t.tx,
  t.b * x + t.a * y + t.ty,
];

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d,
    b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** Chip pixel (u, v) to source pixel: x = a u + b v + c, y = d u + e v + f. */
interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/**
 * The face cut and aligned as dlib's chip: the five landmarks (in the image's pixels) mapped onto
 * the template, sampled bilinearly (outside the image reads as black, as dlib's chip does). A face
 * much larger than the chip is first reduced with sharp (a proper resampling kernel, so no
 * aliasing), as dlib reduces it through an image pyramid.
 */
export async function alignedChip(
  image: RgbImage,
  landmarks: readonly [number, number][],
): Promise<Uint8Array> {
  const back = invertSimilarity(fitSimilarity(landmarks, CHIP_TEMPLATE));
  let m: Affine = { a: back.a, b: -back.b, c: back.tx, d: back.b, e: back.a, f: back.ty };
  let src: { data: Uint8Array; width: number; height: number } = image;
  const step = Math.hypot(back.a, back.b); // image pixels per chip pixel
  if (step > 1.25) {
    const xs: number[] = [],
      ys: number[] = [];
    for (const [u, v] of [
      [0, 0],
      [CHIP_SIDE, 0],
      [0, CHIP_SIDE],
      [CHIP_SIDE, CHIP_SIDE],
    ] as const) {
      xs.push(m.a * u + m.b * v + m.c);
      ys.push(m.d * u + m.e * v + m.f);
    }
    const left = Math.max(0, Math.floor(Math.min(...xs)) - 2),
      top = Math.max(0, Math.floor(Math.min(...ys)) - 2);
    const right = Math.min(image.width, Math.ceil(Math.max(...xs)) + 2),
      bottom = Math.min(image.height, Math.ceil(Math.max(...ys)) + 2);
    if (right - left >= 2 && bottom - top >= 2) {
      const w = Math.max(2, Math.round((right - left) / step)),
        h = Math.max(2, Math.round((bottom - top) / step));
      const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .extract({ left, top, width: right - left, height: bottom - top })
        .resize(w, h, { fit: 'fill' })
        .raw()
        .toBuffer();
      const sx = w / (right - left),
        sy = h / (bottom - top);
      m = { a: m.a * sx, b: m.b * sx, c: (m.c - left) * sx, d: m.d * sy, e: m.e * sy, f: (m.f - top) * sy };
      src = { data, width: w, height: h };
    }
  }
  return warp(src, m);
}

function warp(src: { data: Uint8Array; width: number; height: number }, m: Affine): Uint8Array {
  const { data, width: W, height: H } = src;
  const out = new Uint8Array(CHIP_SIDE * CHIP_SIDE * 3);
  for (let v = 0; v < CHIP_SIDE; v++) {
    for (let u = 0; u < CHIP_SIDE; u++) {
      const x = m.a * u + m.b * v + m.c;
      const y = m.d * u + m.e * v + m.f;
      const x0 = Math.floor(x),
        y0 = Math.floor(y);
      const dx = x - x0,
        dy = y - y0;
      const w00 = (1 - dx) * (1 - dy),
        w10 = dx * (1 - dy),
        w01 = (1 - dx) * dy,
        w11 = dx * dy;
      const in0 = y0 >= 0 && y0 < H,
        in1 = y0 + 1 >= 0 && y0 + 1 < H,
        inx0 = x0 >= 0 && x0 < W,
        inx1 = x0 + 1 >= 0 && x0 + 1 < W;
      const o = (v * CHIP_SIDE + u) * 3;
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        if (in0 && inx0) acc += w00 * data[(y0 * W + x0) * 3 + c]!;
        if (in0 && inx1) acc += w10 * data[(y0 * W + x0 + 1) * 3 + c]!;
        if (in1 && inx0) acc += w01 * data[((y0 + 1) * W + x0) * 3 + c]!;
        if (in1 && inx1) acc += w11 * data[((y0 + 1) * W + x0 + 1) * 3 + c]!;
        out[o + c] = Math.round(acc);
      }
    }
  }
  return out;
}

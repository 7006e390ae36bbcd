import type { ModelRef } from '../core/clues';

// ORB keypoints with geometric verification (RANSAC homography), through OpenCV compiled to wasm
// (@techstark/opencv-js). This finds the same wall, bedspread or object photographed from another
// angle, or a crop inside its scene, where global descriptors only say "looks alike".

/* eslint-disable @typescript-eslint/no-explicit-any */
type Cv = any;
// Boxed: the Emscripten module is a thenable whose then() hands back itself, so resolving a
// promise with it directly never settles (and spins the event loop).
let cvReady: Promise<{ cv: Cv }> | undefined;

function opencv(): Promise<{ cv: Cv }> {
  cvReady ??= new Promise((resolve) => {
    const cv = require('@techstark/opencv-js') as Cv;
    if (cv.Mat) resolve({ cv });
    else cv.onRuntimeInitialized = () => resolve({ cv });
  });
  return cvReady;
}

export interface LocalFeatures {
  width: number;
  height: number;
  /** x, y per keypoint */
  points: Float32Array;
  /** 32 bytes per keypoint */
  descriptors: Uint8Array;
}

export interface FeatureMatch {
  /** Ratio-test matches. */
  matches: number;
  /** Matches consistent with one homography: the evidence that it is the same surface. */
  inliers: number;
  /**
   * Mean distance in pixels between where the homography puts the inliers and where they are:
   * near 0 for a crop cut from the very image, larger for the same surface seen from elsewhere.
   */
  error?: number;
  /** Where the inliers lie in the second image, as fractions of it. */
  box?: { x: number; y: number; w: number; h: number };
}

export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

const MIN_MATCHES_FOR_HOMOGRAPHY = 8;
/** ORB ignores a border of its patch size (31 px) on each side: smaller images have no keypoints. */
const MIN_SIDE_FOR_KEYPOINTS = 16;
/**
 * A small image (a crop of a logo) is enlarged until its longest side is this, at most 4 times,
 * before keypoints are found: below ORB's 31 px border on each side it had none at all. Enlarging
 * further (360, 480 px) found no more crops on the eval set, and cost keypoints' scale agreement.
 */
const UPSAMPLE_TO = 240;

/**
 * OpenCV.js throws C++ exceptions as bare numbers (pointers into its heap): turn them into the
 * message OpenCV wrote, so a failure reason says what went wrong.
 */
function readable(cv: Cv, err: unknown): Error {
  if (typeof err === 'number') {
    try {
      return new Error(`OpenCV: ${String(cv.exceptionFromPtr(err).msg).trim()}`);
    } catch {
      return new Error(`OpenCV failed (exception ${err})`);
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}

export class OrbMatcher {
  readonly model: ModelRef;
  private constructor(
    private readonly cv: Cv,
    private readonly maxFeatures: number,
  ) {
    this.model = { name: `orb-${maxFeatures}+ransac`, version: `@techstark/opencv-js@${(require('@techstark/opencv-js/package.json') as { version: string }).version}` };
  }

  /** Largest side images are reduced to before keypoints are found. */
  readonly inputSide = 800;

  static async create(maxFeatures = 1000): Promise<OrbMatcher> {
    return new OrbMatcher((await opencv()).cv, maxFeatures);
  }

  /**
   * Side and keypoint budget of a dense re-extraction: a small crop covers a few percent of an
   * image, where 1000 keypoints over the whole image at 800 px leave it a handful.
   */
  readonly dense = { inputSide: 1600, maxFeatures: 5000 };

  /** Keypoints of an image at the dense budget (re-checking a shortlisted image for a small query). */
  extractDense(img: GrayImage): LocalFeatures {
    return this.extract(img, this.dense.maxFeatures);
  }

  extract(img: GrayImage, maxFeatures = this.maxFeatures): LocalFeatures {
    const cv = this.cv;
    if (Math.min(img.width, img.height) < MIN_SIDE_FOR_KEYPOINTS) return { width: img.width, height: img.height, points: new Float32Array(0), descriptors: new Uint8Array(0) };
    const mat = cv.matFromArray(img.height, img.width, cv.CV_8UC1, img.data);
    const grow = Math.min(4, UPSAMPLE_TO / Math.max(img.width, img.height));
    if (grow > 1) cv.resize(mat, mat, new cv.Size(Math.round(img.width * grow), Math.round(img.height * grow)), 0, 0, cv.INTER_CUBIC);
    const orb = new cv.ORB(maxFeatures);
    const kp = new cv.KeyPointVector();
    const des = new cv.Mat();
    const mask = new cv.Mat();
    try {
      orb.detectAndCompute(mat, mask, kp, des);
      const n = kp.size();
      const points = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const k = kp.get(i);
        points[2 * i] = k.pt.x;
        points[2 * i + 1] = k.pt.y;
      }
      return { width: mat.cols, height: mat.rows, points, descriptors: n ? new Uint8Array(des.data) : new Uint8Array(0) };
    } catch (err) {
      throw readable(cv, err);
    } finally {
      for (const m of [mat, orb, kp, des, mask]) m.delete();
    }
  }

  match(a: LocalFeatures, b: LocalFeatures): FeatureMatch {
    const cv = this.cv;
    const na = a.points.length / 2;
    const nb = b.points.length / 2;
    if (na < 2 || nb < 2) return { matches: 0, inliers: 0 };
    const da = cv.matFromArray(na, 32, cv.CV_8UC1, a.descriptors);
    const db = cv.matFromArray(nb, 32, cv.CV_8UC1, b.descriptors);
    const bf = new cv.BFMatcher(cv.NORM_HAMMING, false);
    const knn = new cv.DMatchVectorVector();
    const cleanup: Cv[] = [da, db, bf, knn];
    try {
      bf.knnMatch(da, db, knn, 2);
      const src: number[] = [];
      const dst: number[] = [];
      for (let i = 0; i < knn.size(); i++) {
        // `get` copies the inner vector onto the wasm heap: without delete, every match call
        // leaked about 55 KB (one copy per keypoint), which a worker never gives back.
        const pair = knn.get(i);
        try {
          if (pair.size() < 2) continue;
          const m0 = pair.get(0);
          const m1 = pair.get(1);
          if (m0.distance < 0.75 * m1.distance) {
            src.push(a.points[2 * m0.queryIdx]!, a.points[2 * m0.queryIdx + 1]!);
            dst.push(b.points[2 * m0.trainIdx]!, b.points[2 * m0.trainIdx + 1]!);
          }
        } finally {
          pair.delete();
        }
      }
      const matches = src.length / 2;
      if (matches < MIN_MATCHES_FOR_HOMOGRAPHY) return { matches, inliers: 0 };
      const s = cv.matFromArray(matches, 1, cv.CV_32FC2, src);
      const d = cv.matFromArray(matches, 1, cv.CV_32FC2, dst);
      const mask = new cv.Mat();
      cleanup.push(s, d, mask);
      const h = cv.findHomography(s, d, cv.RANSAC, 5, mask);
      cleanup.push(h);
      let inliers = 0;
      if (!h.empty() && plausible(h.data64F as Float64Array, a)) {
        const ia: number[] = [];
        const ib: number[] = [];
        for (let i = 0; i < mask.rows; i++) {
          if (!mask.data[i]) continue;
          inliers++;
          ia.push(src[2 * i]!, src[2 * i + 1]!);
          ib.push(dst[2 * i]!, dst[2 * i + 1]!);
        }
        // Inliers along one streak (motion blur) or in one spot fit a homography without being a surface.
        if (flat(ia) || flat(ib)) inliers = 0;
        else return { matches, inliers, error: Math.round(reprojectionError(h.data64F as Float64Array, ia, ib) * 100) / 100, box: spanOf(ib, b) };
      }
      return { matches, inliers };
    } catch (err) {
      throw readable(cv, err);
    } finally {
      for (const m of cleanup) m.delete();
    }
  }
}

/** Inliers whose spread across their main direction is below this share of the spread along it lie on a line. */
const MIN_SPREAD_RATIO = 0.08;
/** Inliers within this many pixels (one standard deviation) of each other are one spot. */
const MIN_SPREAD_PX = 3;

/** The points (x, y pairs) lie along one line or in one spot. */
function flat(xy: number[]): boolean {
  const n = xy.length / 2;
  if (n < 3) return true;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += xy[2 * i]!;
    my += xy[2 * i + 1]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xy[2 * i]! - mx;
    const dy = xy[2 * i + 1]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const half = Math.sqrt(((sxx - syy) / (2 * n)) ** 2 + (sxy / n) ** 2);
  const minor = Math.sqrt(Math.max(0, (sxx + syy) / (2 * n) - half));
  const major = Math.sqrt((sxx + syy) / (2 * n) + half);
  return minor < MIN_SPREAD_PX || minor < MIN_SPREAD_RATIO * major;
}

/** The box around points (x, y pairs), as fractions of the image. */
function spanOf(xy: number[], img: { width: number; height: number }): { x: number; y: number; w: number; h: number } {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    x0 = Math.min(x0, xy[i]!);
    x1 = Math.max(x1, xy[i]!);
    y0 = Math.min(y0, xy[i + 1]!);
    y1 = Math.max(y1, xy[i + 1]!);
  }
  const r = (v: number) => Math.round(Math.max(0, Math.min(1, v)) * 10000) / 10000;
  return { x: r(x0 / img.width), y: r(y0 / img.height), w: r((x1 - x0) / img.width), h: r((y1 - y0) / img.height) };
}

/** Mean distance between H applied to the points `a` and the points `b` (x, y pairs). */
function reprojectionError(h: Float64Array, a: number[], b: number[]): number {
  let sum = 0;
  const n = a.length / 2;
  for (let i = 0; i < n; i++) {
    const x = a[2 * i]!;
    const y = a[2 * i + 1]!;
    const w = h[6]! * x + h[7]! * y + h[8]!;
    const px = (h[0]! * x + h[1]! * y + h[2]!) / w;
    const py = (h[3]! * x + h[4]! * y + h[5]!) / w;
    sum += Math.hypot(px - b[2 * i]!, py - b[2 * i + 1]!);
  }
  return n ? sum / n : 0;
}

/**
 * A homography a camera can make: it neither flips nor shrinks or grows the surface beyond 12x
 * per side, and its perspective stays moderate across the query image.
 */
function plausible(h: Float64Array, a: { width: number; height: number }): boolean {
  const det = h[0]! * h[4]! - h[1]! * h[3]!;
  if (!(det > 1 / 144 && det < 144)) return false;
  return Math.abs(h[6]!) * a.width + Math.abs(h[7]!) * a.height < 0.8;
}

/** Compact file form: magic, counts and sizes, then points (float32) and descriptors. */
export function encodeFeatures(f: LocalFeatures): Buffer {
  const n = f.points.length / 2;
  const header = Buffer.alloc(16);
  header.write('ORB1', 0, 'ascii');
  header.writeUInt32LE(n, 4);
  header.writeUInt32LE(f.width, 8);
  header.writeUInt32LE(f.height, 12);
  return Buffer.concat([header, Buffer.from(f.points.buffer, f.points.byteOffset, f.points.byteLength), Buffer.from(f.descriptors)]);
}

export function decodeFeatures(buf: Buffer, name: string): LocalFeatures {
  if (buf.toString('ascii', 0, 4) !== 'ORB1') throw new Error(`${name}: not a features file`);
  const n = buf.readUInt32LE(4);
  const points = new Float32Array(buf.buffer.slice(buf.byteOffset + 16, buf.byteOffset + 16 + 8 * n));
  const descriptors = new Uint8Array(buf.buffer.slice(buf.byteOffset + 16 + 8 * n, buf.byteOffset + 16 + 8 * n + 32 * n));
  return { width: buf.readUInt32LE(8), height: buf.readUInt32LE(12), points, descriptors };
}

import { alignedChip } from './face-align';
import type { FaceDescriber } from './face-describer';
import type { Face } from './face-detector';
import { faceQuality, type FaceQuality } from './face-quality';
import type { RgbImage } from './tiles';

/** A face with its quality and, when it is good enough to match, its descriptor. Biometric data. */
export interface DescribedFace extends Face {
  quality: FaceQuality;
  /** 128 values (rounded to 1e-5); absent when the quality gate kept the face out of matching. */
  descriptor?: number[];
}

/**
 * Aligns each face on its landmarks (in original pixels; `image` holds the decoded pixels, `scale`
 * original pixels per decoded pixel), checks its quality, and describes those that pass.
 */
export async function describeFaces(
  describer: FaceDescriber,
  image: RgbImage & { scale: number },
  faces: Face[],
): Promise<DescribedFace[]> {
  const out: DescribedFace[] = [];
  for (const f of faces) {
    if (!f.landmarks || f.landmarks.length !== 5) {
      out.push({
        ...f,
        quality: {
          ok: false,
          reasons: ['no landmarks to align on'],
          side: Math.min(f.box.w, f.box.h),
          yaw: 0,
          sharpness: 0,
          lowerFace: 0,
        },
      });
      continue;
    }
    const chip = await alignedChip(
      image,
      f.landmarks.map(([x, y]): [number, number] => [x / image.scale, y / image.scale]),
    );
    const quality = faceQuality(f.box, f.landmarks, chip);
    if (!quality.ok) {
      out.push({ ...f, quality });
      continue;
    }
    const d = await describer.describe(chip);
    out.push({ ...f, quality, descriptor: Array.from(d, (x) => Math.round(x * 1e5) / 1e5) });
  }
  return out;
}

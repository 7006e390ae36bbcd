import { readFileSync } from 'node:fs';
import type { GraphModel } from '@tensorflow/tfjs';
import type { ModelRef } from '../core/clues';
import { COCO_LABELS } from './coco-labels';
import type { DecodedImage } from './image-loader';
import { modelFiles } from './manifest';
import { nonMaxSuppression } from './nms';
import type { Detection, ObjectDetector } from './object-detector';
import { tfjs, type Tf } from './tfjs-runtime';

const SIDE = 512;

/** CenterNet (COCO-80) as shipped in @vladmandic/human, run with TensorFlow.js. */
export class CenterNetDetector implements ObjectDetector {
  readonly inputSide = SIDE;
  private constructor(
    private readonly tf: Tf,
    private readonly graph: GraphModel,
    readonly model: ModelRef,
    private readonly minScore: number,
  ) {}

  static async create(minScore = 0.3): Promise<CenterNetDetector> {
    const files = modelFiles('centernet-coco');
    const { tf, backend } = await tfjs();
    const json = JSON.parse(readFileSync(files.paths['models/centernet.json']!, 'utf8')) as {
      modelTopology: object;
      weightsManifest: { weights: object[] }[];
    };
    const bin = readFileSync(files.paths['models/centernet.bin']!);
    const graph = await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as never,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
      }),
    );
    return new CenterNetDetector(tf, graph, { name: `centernet-coco (${backend})`, version: `${files.package}@${files.version}` }, minScore);
  }

  async detect(image: DecodedImage): Promise<Detection[]> {
    const tf = this.tf;
    const out = tf.tidy(() => {
      const input = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, 3]);
      const resized = tf.image.resizeBilinear(input, [SIDE, SIDE]).expandDims(0);
      return this.graph.execute(resized, ['tower_0/detections']) as ReturnType<typeof tf.tensor>;
    });
    const rows = ((await out.array()) as number[][][])[0] ?? [];
    out.dispose();
    const sx = image.width / SIDE;
    const sy = image.height / SIDE;
    const found: Detection[] = [];
    for (const [x1, y1, x2, y2, score, cls] of rows as [number, number, number, number, number, number][]) {
      if (score < this.minScore) continue;
      const label = COCO_LABELS[Math.round(cls)];
      if (!label) continue;
      const x = Math.max(0, x1 * sx);
      const y = Math.max(0, y1 * sy);
      const w = Math.min(image.width, x2 * sx) - x;
      const h = Math.min(image.height, y2 * sy) - y;
      if (w < 2 || h < 2) continue;
      found.push({ label, score: Math.round(score * 1000) / 1000, box: { x: Math.round(x), y: Math.round(y), w: Math.round(w), h: Math.round(h) } });
    }
    return nonMaxSuppression(found, 0.5);
  }
}

import { readFileSync } from 'node:fs';
import type { GraphModel } from '@tensorflow/tfjs';
import type { ModelRef } from '../core/clues';
import { COCO_LABELS } from './coco-labels';
import type { DecodedImage } from './image-loader';
import { modelFiles } from './manifest';
import { nonMaxSuppression } from './nms';
import { l2normalise, type ImageEmbedder } from './image-embedder';
import type { Detection, ObjectDetector } from './object-detector';
import { tfjs, type Tf } from './tfjs-runtime';

const SIDE = 512;
/** Last block of the MobileNetV3 backbone: 120 channels at 1/32 of the 512 px input. */
const BACKBONE = 'tower_0/MobilenetV3/expanded_conv_14/add';

/**
 * CenterNet (COCO-80) as shipped in @vladmandic/human, run with TensorFlow.js. Its MobileNetV3
 * backbone also gives a global image descriptor (mean- and max-pooled, 240 values), trained on
 * COCO objects rather than places: a first similarity signal, verified by local features.
 */
export class CenterNetDetector implements ObjectDetector, ImageEmbedder {
  readonly inputSide = SIDE;
  private constructor(
    private readonly tf: Tf,
    private readonly graph: GraphModel,
    readonly model: ModelRef,
    private readonly minScore: number,
  ) {}

  static async create(minScore = 0.3, threads = 1): Promise<CenterNetDetector> {
    const files = modelFiles('centernet-coco');
    const { tf, backend } = await tfjs(threads);
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

  private input(image: DecodedImage) {
    const tf = this.tf;
    const pixels = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, 3]);
    return tf.image.resizeBilinear(pixels, [SIDE, SIDE]).expandDims(0);
  }

  async embed(image: DecodedImage): Promise<number[]> {
    const tf = this.tf;
    const out = tf.tidy(() => {
      const features = this.graph.execute(this.input(image), BACKBONE) as ReturnType<typeof tf.tensor4d>;
      return tf.concat([features.mean([1, 2]), features.max([1, 2])], 1);
    });
    const v = Array.from(await out.data());
    out.dispose();
    return l2normalise(v);
  }

  async detect(image: DecodedImage): Promise<Detection[]> {
    const tf = this.tf;
    const out = tf.tidy(() => this.graph.execute(this.input(image), ['tower_0/detections']) as ReturnType<typeof tf.tensor>);
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

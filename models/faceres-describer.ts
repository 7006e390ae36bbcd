import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphModel } from '@tensorflow/tfjs';
import { CHIP_SIDE } from './face-align';
import { packageRoot } from './manifest';
import { tfjs, type Tf } from './tfjs-runtime';

const SIDE = 224;

/**
 * HSE FaceRes (1024 values, with age and gender heads) as @vladmandic/human 3.3.6 ships it
 * (models/faceres.json/.bin, MIT), on TensorFlow.js: compared with dlib's descriptor by
 * `npm run eval -- --face-models` (docs/models.md), not loaded by the worker. It is given the
 * same aligned chip, resized to its 224 x 224 input, pixel values 0..255 as human feeds it.
 */
export class FaceResDescriber {
  private constructor(
    private readonly tf: Tf,
    private readonly graph: GraphModel,
  ) {}

  static async create(): Promise<FaceResDescriber> {
    const { tf } = await tfjs(1);
    const dir = join(packageRoot('@vladmandic/human'), 'models');
    const json = JSON.parse(readFileSync(join(dir, 'faceres.json'), 'utf8')) as {
      modelTopology: object;
      weightsManifest: { weights: object[] }[];
    };
    const bin = readFileSync(join(dir, 'faceres.bin'));
    const graph = await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as never,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
      }),
    );
    return new FaceResDescriber(tf, graph);
  }

  /** The chip's descriptor, L2-normalised (so that distances compare across faces). */
  async describe(chip: Uint8Array): Promise<Float32Array> {
    const tf = this.tf;
    const out = tf.tidy(() => {
      const input = tf.image
        .resizeBilinear(tf.tensor3d(Float32Array.from(chip), [CHIP_SIDE, CHIP_SIDE, 3]), [SIDE, SIDE])
        .expandDims(0);
      // The descriptor is not among the graph's default outputs (age and gender are).
      const d = this.graph.execute(input, 'global_pooling/Mean') as ReturnType<typeof tf.tensor2d>;
      return tf.div(d, tf.norm(d));
    });
    const v = (await out.data()) as Float32Array;
    out.dispose();
    return v;
  }

  close(): void {
    this.graph.dispose();
  }
}

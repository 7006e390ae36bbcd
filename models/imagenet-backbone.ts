import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { ModelRef } from '../core/clues';
import type { ImageEmbedder } from './image-embedder';
import type { DecodedImage } from './image-loader';
import { modelFiles } from './manifest';
import { ortSessionOptions } from './ort-session';
import { regionInputSize, type FeatureMap } from './region-descriptors';

const SIDE = 224;

export interface BackboneOutput {
  /** 1280 values, L2-normalised in the graph. */
  embedding: Float32Array;
  /** 1000 ImageNet class probabilities. */
  probs: Float32Array;
}

/**
 * MobileNetV2 trained on ImageNet (torchvision's weights, converted to ONNX by
 * scripts/models/export_mobilenet_v2.py) on onnxruntime-node. One pass gives the global
 * embedding that similarity search shortlists with, and the class probabilities that the scene
 * classifier groups into place types. The whole image is squashed to 224 x 224, not centre-cropped:
 * a crop query or a second viewpoint keeps everything it shows.
 */
export class ImageNetBackbone implements ImageEmbedder {
  readonly inputSide = SIDE;
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly model: ModelRef,
    readonly labels: string[],
  ) {}

  static async create(threads = 1): Promise<ImageNetBackbone> {
    const files = modelFiles('mobilenet-v2-imagenet');
    const session = await ort.InferenceSession.create(readFileSync(files.paths['mobilenet-v2-imagenet.onnx']!), ortSessionOptions(threads));
    const labels = readFileSync(files.paths['imagenet-labels.txt']!, 'utf8').trim().split('\n');
    if (labels.length !== 1000) throw new Error(`imagenet-labels.txt has ${labels.length} lines, not 1000`);
    return new ImageNetBackbone(session, { name: 'mobilenet-v2-imagenet-onnx', version: `${files.package}@${files.version}` }, labels);
  }

  async run(image: DecodedImage): Promise<BackboneOutput> {
    const rgb = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(SIDE, SIDE, { fit: 'fill' }).raw().toBuffer();
    const plane = SIDE * SIDE;
    const input = new Float32Array(3 * plane);
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) input[c * plane + p] = rgb[p * 3 + c]!;
    const out = await this.session.run({ image: new ort.Tensor('float32', input, [1, 3, SIDE, SIDE]) });
    return { embedding: out.embedding!.data as Float32Array, probs: out.probs!.data as Float32Array };
  }

  /**
   * The last feature map (1280 channels, a cell per 32 pixels) of the image seen whole, its aspect
   * kept (regionInputSize): what region descriptors are pooled from. A second pass, apart from
   * the 224-pixel squash that the embedding and the classes come from, whose figures are tuned.
   */
  async featureMap(image: DecodedImage): Promise<FeatureMap> {
    const size = regionInputSize(image.width, image.height);
    const rgb = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(size.width, size.height, { fit: 'fill' }).raw().toBuffer();
    const plane = size.width * size.height;
    const input = new Float32Array(3 * plane);
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) input[c * plane + p] = rgb[p * 3 + c]!;
    const out = await this.session.run({ image: new ort.Tensor('float32', input, [1, 3, size.height, size.width]) }, ['features']);
    const f = out.features!;
    return { data: f.data as Float32Array, channels: f.dims[1]!, height: f.dims[2]!, width: f.dims[3]! };
  }

  async embed(image: DecodedImage): Promise<number[]> {
    return Array.from((await this.run(image)).embedding);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

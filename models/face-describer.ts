import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { ModelRef } from '../core/clues';
import { CHIP_SIDE } from './face-align';
import { modelFiles } from './manifest';
import { ortSessionOptions } from './ort-session';

/** Descriptors' length. */
export const FACE_DESCRIPTOR_SIZE = 128;

/**
 * dlib's face-recognition ResNet (29 convolutions, 128 values; dlib's authors report 99.38% on
 * LFW), as ported by face-api and converted to ONNX by scripts/models/export_face_recognition.py,
 * on onnxruntime-node. Its input is a face aligned as dlib's chip (face-align.ts). Two faces
 * of one person lie closer than FACE_MATCH_DISTANCE (faces/identity-rules.ts) in Euclidean distance.
 */
export class FaceDescriber {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly model: ModelRef,
  ) {}

  static async create(threads = 1): Promise<FaceDescriber> {
    const files = modelFiles('face-recognition-resnet-v1');
    const session = await ort.InferenceSession.create(
      readFileSync(files.paths['face-recognition-resnet-v1.onnx']!),
      ortSessionOptions(threads),
    );
    return new FaceDescriber(session, {
      name: 'dlib-face-resnet-v1-onnx',
      version: `${files.package}@${files.version}`,
    });
  }

  /** One aligned chip (150 x 150 interleaved RGB) to its descriptor. */
  async describe(chip: Uint8Array): Promise<Float32Array> {
    const plane = CHIP_SIDE * CHIP_SIDE;
    if (chip.length !== 3 * plane)
      throw new Error(`a face chip is ${CHIP_SIDE} x ${CHIP_SIDE} RGB, not ${chip.length} bytes`);
    const input = new Float32Array(3 * plane);
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) input[c * plane + p] = chip[p * 3 + c]!;
    const out = await this.session.run({
      chip: new ort.Tensor('float32', input, [1, 3, CHIP_SIDE, CHIP_SIDE]),
    });
    return out.descriptor!.data as Float32Array;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

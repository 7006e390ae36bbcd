import sharp from 'sharp';
import type { ModelRef } from '../core/clues';
import type { Face, FaceDetector } from './face-detector';
import type { ImageNetBackbone } from './imagenet-backbone';
import type { DecodedImage } from './image-loader';

/** ImageNet-1k's first 398 classes are animals (dogs, cats, primates, birds...). */
const ANIMAL_CLASSES = 398;
/** Faces at least this sure are kept without a second look. */
const SURE = 0.95;
/** An uncertain face whose surroundings the ImageNet model sees as an animal this surely is an animal's. */
const ANIMAL = 0.9;

/**
 * RetinaFace finds dogs' faces too (a Pekinese at 0.91): an uncertain face gets a second look
 * from the ImageNet backbone on the face and its surroundings, and goes if that is an animal.
 * Human faces, even blurred, come out as clothes, rooms and objects there.
 */
export class AnimalCheckedFaceDetector implements FaceDetector {
  readonly model: ModelRef;
  readonly inputSide: number;

  constructor(
    private readonly detector: FaceDetector,
    private readonly backbone: ImageNetBackbone,
  ) {
    this.inputSide = detector.inputSide;
    this.model = { name: `${detector.model.name}+animal-check`, version: `${detector.model.version}+${backbone.model.version}` };
  }

  async detect(image: DecodedImage): Promise<Face[]> {
    const out: Face[] = [];
    for (const f of await this.detector.detect(image)) {
      if (f.score >= SURE || (await this.animalMass(image, f)) < ANIMAL) out.push(f);
    }
    return out;
  }

  private async animalMass(image: DecodedImage, f: Face): Promise<number> {
    const pad = 0.3;
    const left = Math.max(0, Math.round(f.box.x - f.box.w * pad));
    const top = Math.max(0, Math.round(f.box.y - f.box.h * pad));
    const width = Math.max(1, Math.min(image.width - left, Math.round(f.box.w * (1 + 2 * pad))));
    const height = Math.max(1, Math.min(image.height - top, Math.round(f.box.h * (1 + 2 * pad))));
    const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).extract({ left, top, width, height }).raw().toBuffer({ resolveWithObject: true });
    const { probs } = await this.backbone.run({ data, width: info.width, height: info.height, channels: 3, scale: 1 });
    let mass = 0;
    for (let i = 0; i < ANIMAL_CLASSES; i++) mass += probs[i]!;
    return mass;
  }
}

import type { ModelRef } from '../core/clues';
import type { DecodedImage } from './image-loader';

export interface SceneLabel {
  label: string;
  score: number;
}

/** Labels the kind of place an image shows (indoor/outdoor, bedroom, street, shop...). */
export interface SceneClassifier {
  readonly model: ModelRef;
  readonly inputSide: number;
  classify(image: DecodedImage): Promise<SceneLabel[]>;
}

import type { ModelRef } from '../core/clues';
import type { DecodedImage } from './image-loader';

export interface SceneLabel {
  label: string;
  score: number;
  /** What the score rests on: the model's classes, and detected objects used as context. */
  evidence?: string[];
}

/** Labels the kind of place an image shows (indoor/outdoor, bedroom, street, shop...). */
export interface SceneClassifier {
  readonly model: ModelRef;
  readonly inputSide: number;
  /** `objects`: what the objects stage found, as context (optional). */
  classify(image: DecodedImage, objects?: { label: string; score: number }[]): Promise<SceneLabel[]>;
}

import { compareDetectors } from './compare-detectors';
import { compareOcr } from './compare-ocr';
import type { Evaluation } from './evaluation';
import { faces } from './faces';
import { faceChips, identities } from './identities';
import { nearDuplicates } from './near-duplicates';
import { objects } from './objects';
import { photoObjects } from './photo-objects';
import { photoScenes } from './photo-scenes';
import { photoText } from './photo-text';
import { sameScene } from './same-scene';
import { sceneTypes } from './scene-types';
import { text } from './text';

/**
 * Every evaluation of `npm run eval`, in the order they run and print: the comparisons asked for
 * by their option first, then those on the engine, then those without it. A new evaluation is
 * one module and one entry here.
 */
export const EVALUATIONS: readonly Evaluation[] = [
  compareDetectors,
  compareOcr,
  faceChips,
  text,
  objects,
  sameScene,
  sceneTypes,
  faces,
  identities,
  photoText,
  photoObjects,
  photoScenes,
  nearDuplicates,
];

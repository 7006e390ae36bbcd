import { classifyScene } from './classify-scene';
import { describeImage } from './describe-image';
import { describeRegions } from './describe-regions';
import { detectFaces } from './detect-faces';
import { detectObjects } from './detect-objects';
import { groupFaces } from './group-faces';
import { hashImage } from './hash-image';
import { locateImage } from './locate-image';
import { matchPlaces } from './match-places';
import { readMetadata } from './read-metadata';
import { readText } from './read-text';
import type { StageDefinitions } from './stage';

/** What each stage of the registry (core/stage-registry.ts) does: one entry per stage, or no build. */
export const STAGE_DEFINITIONS: StageDefinitions = {
  hashes: hashImage,
  metadata: readMetadata,
  objects: detectObjects,
  text: readText,
  features: describeImage,
  faces: detectFaces,
  scene: classifyScene,
  regions: describeRegions,
  places: matchPlaces,
  people: groupFaces,
  where: locateImage,
};

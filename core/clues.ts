// Plain data shared by workflows, activities, the store and the CLI. Types only: workflows import
// this file, so it must stay free of I/O and Node built-ins.

export const STAGES = ['hashes', 'metadata', 'objects', 'text', 'features', 'scene', 'places'] as const;
export type StageName = (typeof STAGES)[number];

/** `unavailable`: no model is installed for the stage; it is recorded, never faked. */
export type StageStatus = 'ok' | 'failed' | 'unavailable';

export type ClueType = 'object' | 'text' | 'scene' | 'location' | 'metadata';

/** Pixel box in the image as displayed (after EXIF orientation). */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ModelRef {
  name: string;
  version: string;
}

export interface ClueInput {
  type: ClueType;
  value: string;
  /** Normalised search tokens (lower case, no accents or punctuation). */
  tokens: string[];
  box?: Box;
  /** 0..1 */
  score?: number;
  detail?: Record<string, unknown>;
}

export interface StageOutcome {
  stage: StageName;
  status: StageStatus;
  reason?: string;
  model?: ModelRef;
  clues: ClueInput[];
  /** Stage-level data kept on the image record (hashes, EXIF). */
  data?: Record<string, unknown>;
  durationMs?: number;
}

export interface ImageInfo {
  width: number;
  height: number;
  format: string;
  bytes: number;
  /** EXIF orientation tag as found (1..8), applied before any stage sees pixels. */
  orientation?: number;
}

/** What a workflow carries: a reference to the image, never its bytes. */
export interface ImageRef {
  path: string;
  sha256: string;
}

export interface ProcessImageInput extends ImageRef {
  caseId?: string;
}

export interface ProcessImageResult {
  sha256: string;
  stages: Record<StageName, StageStatus>;
  clueCount: number;
}

/** Error type names that workflows and clients agree on. */
export const INVALID_IMAGE = 'InvalidImage';

/** What the features stage hands to the stages that compare images. */
export interface ImageDescriptors {
  embedding: number[];
  /** Local-features file, relative to the data folder. */
  featuresPath: string;
  keypoints: number;
}

// Plain data shared by workflows, activities, the store and the CLI. Types only: workflows import
// this file, so it must stay free of I/O and Node built-ins.

import { afterSave, inputsOf, STAGES, type ClueType, type StageName } from './stages';

export { STAGES, type ClueType, type StageName } from './stages';

/** `unavailable`: no model is installed for the stage; it is recorded, never faked. */
export type StageStatus = 'ok' | 'failed' | 'unavailable';

/** Where a stored clue came from: a pipeline stage, or people tagging (`tags`). */
export type ClueStage = StageName | 'tags';

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
  /** Frames or pages, where the file holds more than one (an animated GIF, a multi-page TIFF). */
  pages?: number;
}

/** A frame or page of a multi-page file, processed as an image of its own. */
export interface FrameOf {
  /** The file it was taken from. */
  sha256: string;
  path: string;
  /** 1-based, as people count pages. */
  index: number;
  count: number;
}

/** What became of a multi-page file's frames beyond the first (which is the file's own image). */
export interface FramesSummary {
  count: number;
  /** Frames processed as images of their own (1-based), the first included. */
  processed: number[];
  /** The images the frames beyond the first became (the first is this file's own). */
  images?: { index: number; sha256: string }[];
  /** Frames not processed, and why. */
  notProcessed?: { frames: number[]; reason: string };
}

/** What a workflow carries: a reference to the image, never its bytes. */
export interface ImageRef {
  path: string;
  sha256: string;
}

export interface ProcessImageInput extends ImageRef {
  caseId?: string;
  /** Set when this image is a frame of a multi-page file. */
  frameOf?: FrameOf;
  /** Run only these stages (a re-run after a model changed); the others keep what is stored. */
  only?: StageName[];
}

export interface ProcessImageResult {
  sha256: string;
  /** `kept`: not run this time (see `only`); the stored outcome stands. */
  stages: Record<StageName, StageStatus | 'kept'>;
  clueCount: number;
  frames?: FramesSummary;
  /** Why each failed stage failed (absent from results of earlier versions). */
  reasons?: Partial<Record<StageName, string>>;
}

/**
 * Which stages of a stored image to run again: those never run or failed, those whose model is
 * now installed where it was not, and those whose model name or version changed; together with
 * the stages that feed them or build on them. Empty: the image is up to date.
 */
export function stagesToRerun(
  stored: Partial<Record<StageName, { status: StageStatus; model?: ModelRef }>> | undefined,
  current: Record<StageName, ModelRef | undefined>,
): StageName[] {
  const stale = new Set<StageName>();
  for (const s of STAGES) {
    const was = stored?.[s];
    const now = current[s];
    if (!was || was.status === 'failed') stale.add(s);
    else if (was.status === 'unavailable') {
      if (now) stale.add(s);
    } else if (now && (was.model?.name !== now.name || was.model?.version !== now.version)) stale.add(s);
  }
  // A stage that reads another's output in the same run is re-run with it, both ways.
  for (const s of STAGES) {
    for (const input of inputsOf(s)) {
      if (stale.has(input) || stale.has(s)) {
        stale.add(s);
        stale.add(input);
      }
    }
  }
  // What runs after saving reads everything the image holds: anything new, and it runs again.
  if (stale.size) for (const s of STAGES) if (afterSave(s)) stale.add(s);
  return STAGES.filter((s) => stale.has(s));
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

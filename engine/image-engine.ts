import type { Box, ImageInfo, ModelRef } from '../core/clues';
import type { EngineModelName } from '../core/stage-registry';
import type { DescribedFace } from '../models/face-descriptors';
import type { FeatureMatch } from '../models/local-features';
import type { PdqResult } from '../models/pdq';
import type { SceneLabel } from '../models/scene-classifier';
import type { MergedLine } from '../models/text-merge';

// Everything that decodes evidence or runs a model goes through this interface. The worker talks
// to an engine process (engine-process.ts), so a native crash or a hung engine on a hostile file
// costs one stage of one image, never the worker; benchmarks run the same code in-process.

/**
 * An image for the engine: a file it reads itself, or bytes (uploads, blobs in a bucket). With its
 * SHA-256, the engine keeps the decoded pixels for the image's next stages.
 */
export type ImageInput = ({ path: string } | { bytes: Uint8Array }) & { sha256?: string };

/** A model, or the honest reason it is absent: stages record `unavailable`, never invented output. */
export type Available = { ok: true; model: ModelRef } | { ok: false; reason: string };

/**
 * What each engine model is, or why it is absent, by the names stages need them under
 * (core/stage-registry.ts). Scene text (PP-OCR) first, documents (tesseract) second: their lines
 * are merged.
 */
export type EngineModels = { [K in EngineModelName]: K extends 'text' ? Available[] : Available };

export interface ObjectsResult {
  /** Boxes in the oriented image's pixels. */
  found: { label: string; score: number; box: Box }[];
  /** A padded JPEG crop per object, in the same order. */
  crops: { box: Box; jpeg: Uint8Array }[];
  note?: string;
}

export interface TextResult {
  lines: MergedLine[];
  /** The engines whose readings are in `lines`. */
  engines: ModelRef[];
  /** Engines that failed on this image, with the reason; the others' lines are kept. */
  failures: string[];
  /** Tiling or scaling an engine needed for this image. */
  notes: string[];
}

export interface DescribeResult {
  embedding: number[];
  /** Local features, encoded (models/local-features.ts encodeFeatures). */
  features: Uint8Array;
  keypoints: number;
}

export interface FacesResult {
  /**
   * Boxes in the oriented image's pixels, best first, each with its quality and (when it passes,
   * and a describer is installed) its descriptor. For analysts only: never published.
   */
  faces: DescribedFace[];
}

/** An image's regions: boxes as fractions of the image, vectors as rows of `dims` signed bytes. */
export interface RegionsResult {
  dims: number;
  /** One letter per region: `w`hole, `g`rid, `o`bject, `t`ext. */
  kinds: string;
  boxes: Box[];
  vectors: Int8Array;
}

/** A detected box (original pixels) to describe as a region of its own. */
export interface RegionBox {
  box: Box;
  kind: 'object' | 'text';
}

export interface QueryResult extends DescribeResult {
  sha256: string;
  pdq: PdqResult;
  /** The query's own regions, when the region model is installed. */
  regions?: RegionsResult;
}

export interface ImageEngine {
  readonly models: EngineModels;
  /** Decodes the whole image once to prove it is sound, and reports what it is. */
  probe(src: ImageInput): Promise<ImageInfo>;
  pdq(src: ImageInput): Promise<PdqResult>;
  objects(src: ImageInput, cropPadding: number): Promise<ObjectsResult>;
  text(src: ImageInput): Promise<TextResult>;
  describe(src: ImageInput): Promise<DescribeResult>;
  /** `objects`: the objects stage's detections, context for the scene model. */
  scene(src: ImageInput, objects?: { label: string; score: number }[]): Promise<SceneLabel[]>;
  faces(src: ImageInput): Promise<FacesResult>;
  /** Region descriptors of the image: the whole, an R-MAC grid, and these detected boxes. */
  regions(src: ImageInput, boxes: RegionBox[]): Promise<RegionsResult>;
  /** Everything similarity search compares, for an image that need not be ingested. */
  query(src: ImageInput): Promise<QueryResult>;
  /** Frames or pages of a multi-page file (0-based), each as a PNG of its own. */
  frames(src: ImageInput, pages: number[]): Promise<{ page: number; png: Uint8Array }[]>;
  /** Local-feature verification of one image against several. */
  match(query: Uint8Array, candidates: Uint8Array[]): Promise<FeatureMatch[]>;
  /** The same against images whose keypoints are found anew at a dense budget (a small crop as the query). */
  matchDense(query: Uint8Array, candidates: ImageInput[]): Promise<FeatureMatch[]>;
  close(): Promise<void>;
}

export type EngineOp = Exclude<keyof ImageEngine, 'models' | 'close'>;
export type EngineOps = Pick<ImageEngine, EngineOp>;

/**
 * The one list of engine operations. `role`: the engine process that serves it (one holding the
 * OCR models, or the others); `image`: it reads one image (its first argument), so it goes to the
 * engine that decoded that image's pixels. The layers that only pass calls on (the engine
 * process's client, the pool) are derived from this list (`passThrough`), not written out.
 */
export const ENGINE_OPS = {
  probe: { role: 'vision', image: true },
  pdq: { role: 'vision', image: true },
  objects: { role: 'vision', image: true },
  text: { role: 'text', image: true },
  describe: { role: 'vision', image: true },
  scene: { role: 'vision', image: true },
  faces: { role: 'vision', image: true },
  regions: { role: 'vision', image: true },
  query: { role: 'vision', image: true },
  frames: { role: 'vision', image: true },
  match: { role: 'vision', image: false },
  matchDense: { role: 'vision', image: false },
} as const satisfies Record<EngineOp, { role: 'text' | 'vision'; image: boolean }>;

export const ENGINE_OP_NAMES = Object.keys(ENGINE_OPS) as EngineOp[];

export const isEngineOp = (op: unknown): op is EngineOp => typeof op === 'string' && Object.hasOwn(ENGINE_OPS, op);

/**
 * Gives a class every engine operation as `dispatch(op, args)`; declare `interface C extends
 * EngineOps {}` beside it so the compiler knows.
 */
export function passThrough<T extends object>(cls: { prototype: T }, dispatch: (self: T, op: EngineOp, args: unknown[]) => Promise<unknown>): void {
  // An operation the class writes itself (the pool's split of a long match) is kept.
  for (const op of ENGINE_OP_NAMES.filter((o) => !Object.hasOwn(cls.prototype, o))) {
    Object.defineProperty(cls.prototype, op, {
      value: function (this: T, ...args: unknown[]) {
        // A trailing optional argument left out is not sent as `undefined`.
        while (args.length && args[args.length - 1] === undefined) args.pop();
        return dispatch(this, op, args);
      },
      writable: true,
      configurable: true,
    });
  }
}

export const modelOf = (a: Available): ModelRef | undefined => (a.ok ? a.model : undefined);

/** Several models behind one stage, recorded as one name and one version. */
export const joinedModel = (refs: ModelRef[]): ModelRef => ({ name: refs.map((r) => r.name).join('+'), version: refs.map((r) => r.version).join('+') });

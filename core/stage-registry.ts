import type { TermKind } from './search-fields';

// The one declaration of every stage an image goes through. Everything else about stages is
// derived from it (core/stages.ts): the workflow's waves and queues, the re-run rules, the clue
// types and how each is searched, the model each stage records, the web's list of stages.
// Plain data, no I/O: workflows and the web bundle import this file.

/** The models an engine process may hold (models/registry.ts loads them); a stage names those it needs. */
export const ENGINE_MODELS = ['objects', 'text', 'embedder', 'matcher', 'scene', 'faces', 'faceDescriber', 'regions'] as const;
export type EngineModelName = (typeof ENGINE_MODELS)[number];

/**
 * How a clue type is searched: as one kind of search term, as a kind chosen by a field of the
 * clue's detail (`{ byField: { serial: 'serial' } }`: only serial numbers of EXIF are searchable),
 * or not at all (`null`).
 */
export type SearchAs = TermKind | { byField: Readonly<Record<string, TermKind>> } | null;

export interface StageSpec {
  /**
   * Where it runs: `io`, the light queue; `image`, the worker whose engine holds the image's
   * decoded pixels (its own task queue), or any CPU worker if that one is gone.
   */
  queue: 'io' | 'image';
  /** The activity that runs it (recorded in workflow histories: never renamed). */
  activity: string;
  /** Stages whose outcome it reads: it runs after them, and is re-run with them. */
  inputs: readonly string[];
  /** The clue types it gives, each with how it is searched. */
  clues: Readonly<Record<string, SearchAs>>;
  /**
   * Engine models it needs: where one is missing the stage is recorded `unavailable` (unless its
   * activity has a fallback of its own), and it runs again once the model is installed.
   */
  models: readonly EngineModelName[];
  /**
   * Engine models it uses where installed and does without otherwise: they are part of the
   * version it records, so that it runs again once one appears.
   */
  optional?: readonly EngineModelName[];
  /** The engine operation it runs on the image (engine/image-engine.ts), if any. */
  engineOp?: string;
  /** For people: what it finds (the image page, docs). */
  label: string;
  /** Runs after the others are saved, on what the image holds then (its tags and links too). */
  afterSave?: boolean;
  /**
   * A stage added while workflows were running: it runs where patched(patch) holds, so that a
   * workflow started before it replays as it ran.
   */
  patch?: string;
}

export const STAGE_REGISTRY = {
  hashes: {
    queue: 'image',
    activity: 'hashImage',
    inputs: [],
    clues: {},
    models: [],
    engineOp: 'pdq',
    label: 'MD5, SHA-1 and PDQ (near-duplicates, known-hash lists)',
  },
  metadata: {
    queue: 'io',
    activity: 'readMetadata',
    inputs: [],
    clues: { metadata: { byField: { serial: 'serial' } } },
    models: [],
    label: 'EXIF: camera, serials, times, GPS',
  },
  objects: {
    queue: 'image',
    activity: 'detectObjects',
    inputs: [],
    clues: { object: 'object' },
    models: ['objects'],
    engineOp: 'objects',
    label: 'objects, with crops',
  },
  text: {
    queue: 'image',
    activity: 'readText',
    inputs: [],
    // A licence plate is one clue and one search term, whatever the OCR's line split.
    clues: { text: 'word', plate: 'plate' },
    models: ['text'],
    engineOp: 'text',
    label: 'visible text, line by line, and licence plates',
  },
  features: {
    queue: 'image',
    activity: 'describeImage',
    inputs: [],
    clues: {},
    models: ['embedder', 'matcher'],
    engineOp: 'describe',
    label: 'global embedding and keypoints (similar images, places)',
  },
  faces: {
    queue: 'image',
    activity: 'detectFaces',
    inputs: [],
    // Analysts find images with faces as object:face; a face is never cropped or published.
    clues: { face: 'object' },
    models: ['faces'],
    // Described faces (biometric data) go to the store's faces, never into a workflow's history.
    optional: ['faceDescriber'],
    engineOp: 'faces',
    label: 'faces: count and boxes, and descriptors of those good enough to match (analysts only; never published)',
    patch: 'faces-stage',
  },
  scene: {
    queue: 'image',
    activity: 'classifyScene',
    inputs: ['objects'],
    clues: { scene: 'scene' },
    models: ['scene'],
    engineOp: 'scene',
    label: 'the kind of place',
  },
  regions: {
    queue: 'image',
    activity: 'describeRegions',
    // No inputs: a stage that read the objects' and text's boxes would make every image stored
    // before it run those two again (the re-run rules run a stage's inputs with it).
    inputs: [],
    clues: {},
    models: ['regions'],
    engineOp: 'regions',
    label: 'region descriptors: visual search finds a logo, an object or a place inside an image',
    patch: 'regions-stage',
  },
  places: {
    queue: 'image',
    activity: 'matchPlaces',
    inputs: ['features'],
    clues: { location: 'location' },
    models: ['matcher'],
    label: 'known places matched',
  },
  people: {
    queue: 'io',
    activity: 'groupFaces',
    inputs: [],
    clues: {},
    models: [],
    label: 'the same person across images: faces grouped into people (analysts and admins only)',
    // After saving, so that the image's cases are known; before where and when, which inherits
    // through a person link.
    afterSave: true,
    patch: 'people-stage',
  },
  where: {
    queue: 'io',
    activity: 'locateImage',
    inputs: [],
    // A town near a GPS fix is a place to search by, as a known place is; a time window's
    // tokens are its months.
    clues: { country: 'country', region: 'location', time: 'month' },
    models: [],
    label: 'where and when, weighed from every clue',
    afterSave: true,
  },
} as const satisfies Record<string, StageSpec>;

/**
 * Clues no stage gives. `tag`: a name given by people (an analyst, or the crowd through a
 * reviewer), found like words read in the image.
 */
export const PEOPLE_CLUES = { tag: 'word' } as const satisfies Record<string, SearchAs>;

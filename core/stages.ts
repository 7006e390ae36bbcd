import type { ClueType } from './clues';

// The one definition of the stages an image goes through. The workflow runs them from it (which
// queue, in which wave, with which inputs), the re-run rules read their inputs from it, and the
// image page lists them in its order. Types only and plain data: workflows import this file.

export interface StageSpec {
  /**
   * Where it runs: `io`, the light queue; `image`, the worker whose engine holds the image's
   * decoded pixels (its own task queue), or any CPU worker if that one is gone.
   */
  queue: 'io' | 'image';
  /** The activity that runs it. */
  activity: 'hashImage' | 'readMetadata' | 'detectObjects' | 'readText' | 'describeImage' | 'detectFaces' | 'classifyScene' | 'matchPlaces' | 'locateImage' | 'describeRegions';
  /** Stages whose outcome it reads: it runs after them, and is re-run with them. */
  inputs: readonly string[];
  /** The clue types it produces. */
  clueTypes: readonly ClueType[];
  /** For people: what it finds. */
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
  hashes: { queue: 'image', activity: 'hashImage', inputs: [], clueTypes: [], label: 'MD5, SHA-1 and PDQ (near-duplicates, known-hash lists)' },
  metadata: { queue: 'io', activity: 'readMetadata', inputs: [], clueTypes: ['metadata'], label: 'EXIF: camera, serials, times, GPS' },
  objects: { queue: 'image', activity: 'detectObjects', inputs: [], clueTypes: ['object'], label: 'objects, with crops' },
  text: { queue: 'image', activity: 'readText', inputs: [], clueTypes: ['text'], label: 'visible text, line by line' },
  features: { queue: 'image', activity: 'describeImage', inputs: [], clueTypes: [], label: 'global embedding and keypoints (similar images, places)' },
  faces: { queue: 'image', activity: 'detectFaces', inputs: [], clueTypes: ['face'], label: 'faces: count and boxes, for analysts only (a crop touching one is never published)', patch: 'faces-stage' },
  scene: { queue: 'image', activity: 'classifyScene', inputs: ['objects'], clueTypes: ['scene'], label: 'the kind of place' },
  regions: { queue: 'image', activity: 'describeRegions', inputs: [], clueTypes: [], label: 'region descriptors: visual search finds a logo, an object or a place inside an image', patch: 'regions-stage' },
  places: { queue: 'image', activity: 'matchPlaces', inputs: ['features'], clueTypes: ['location'], label: 'known places matched' },
  where: { queue: 'io', activity: 'locateImage', inputs: [], clueTypes: ['country', 'region', 'time'], label: 'where and when, weighed from every clue', afterSave: true },
} as const satisfies Record<string, StageSpec>;

export type StageName = keyof typeof STAGE_REGISTRY;
export const STAGES = Object.keys(STAGE_REGISTRY) as StageName[];

// Every input names a stage (checked when compiling).
const inputsAreStages: (typeof STAGE_REGISTRY)[StageName]['inputs'][number] extends StageName ? true : never = true;
void inputsAreStages;

/** The stages a stage reads. */
export const inputsOf = (s: StageName): readonly StageName[] => STAGE_REGISTRY[s].inputs as readonly StageName[];

/** Whether a stage runs after the others are saved. */
export const afterSave = (s: StageName): boolean => (STAGE_REGISTRY[s] as StageSpec).afterSave === true;

/** Stages in waves: each runs after every stage it reads (stages that run after saving are not in them). */
export function stageWaves(stages: readonly StageName[] = STAGES): StageName[][] {
  const waves: StageName[][] = [];
  const placed = new Set<StageName>();
  let left = stages.filter((s) => !afterSave(s));
  while (left.length) {
    const ready = left.filter((s) => inputsOf(s).every((i) => placed.has(i) || !stages.includes(i)));
    if (ready.length === 0) throw new Error(`stage inputs form a cycle: ${left.join(', ')}`);
    waves.push(ready);
    for (const s of ready) placed.add(s);
    left = left.filter((s) => !ready.includes(s));
  }
  return waves;
}

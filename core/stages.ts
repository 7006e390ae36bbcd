import { PEOPLE_CLUES, STAGE_REGISTRY, type SearchAs, type StageSpec } from './stage-registry';
import type { TermKind } from './search-fields';

// What is derived from the stage registry (core/stage-registry.ts): names, waves, the clue types
// and how each is searched. Plain data and pure functions: workflows and the web import this file.

export { ENGINE_MODELS, STAGE_REGISTRY, type EngineModelName, type StageSpec } from './stage-registry';

export type StageName = keyof typeof STAGE_REGISTRY;
export const STAGES = Object.keys(STAGE_REGISTRY) as StageName[];

/** A stage's entry, typed loosely (optional fields readable on every stage). */
export const specOf = (s: StageName): StageSpec => STAGE_REGISTRY[s];

// Every input names a stage (checked when compiling).
const inputsAreStages: (typeof STAGE_REGISTRY)[StageName]['inputs'][number] extends StageName ? true : never = true;
void inputsAreStages;

/** Every clue type: those the stages give, and those people give. */
export type ClueType = { [S in StageName]: keyof (typeof STAGE_REGISTRY)[S]['clues'] }[StageName] | keyof typeof PEOPLE_CLUES;

/** How each clue type is searched, gathered from the stages that give it. */
const SEARCH_AS: Record<string, SearchAs> = Object.assign(
  {},
  PEOPLE_CLUES,
  ...STAGES.map((s) => specOf(s).clues),
);
export const CLUE_TYPES = Object.keys(SEARCH_AS) as ClueType[];
/** How every clue type is searched (a version of the search terms is derived from it). */
export const SEARCH_RULES: Readonly<Record<string, SearchAs>> = SEARCH_AS;

/** Which kind of search term a clue's tokens are; null where it is not searchable. */
export function termKindOf(c: { type: string; detail?: Record<string, unknown> | undefined }): TermKind | null {
  const rule = SEARCH_AS[c.type];
  if (!rule) return null;
  if (typeof rule === 'string') return rule;
  const field = c.detail?.field;
  return typeof field === 'string' ? (rule.byField[field] ?? null) : null;
}

/** The stages a stage reads. */
export const inputsOf = (s: StageName): readonly StageName[] => specOf(s).inputs as readonly StageName[];

/** Whether a stage runs after the others are saved. */
export const afterSave = (s: StageName): boolean => specOf(s).afterSave === true;

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

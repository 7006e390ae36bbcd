import type { ModelRef, StageName } from '../core/clues';
import { STAGES } from '../core/stages';
import type { EngineModels } from '../engine/image-engine';
import { stageModel } from './stage';
import { STAGE_DEFINITIONS } from './stage-definitions';

/**
 * The model each stage would record if it ran now in this worker; undefined where the stage
 * cannot run (a model it needs is not installed). The re-run rules compare these with what is
 * stored: a stage recorded `unavailable` runs again once its model is here.
 */
export function stageModels(models: EngineModels): Record<StageName, ModelRef | undefined> {
  const out = {} as Record<StageName, ModelRef | undefined>;
  for (const s of STAGES) {
    const chosen = stageModel(s, models, STAGE_DEFINITIONS[s].ownModel);
    out[s] = 'model' in chosen ? chosen.model : undefined;
  }
  return out;
}

import type { ModelRef, StageName } from '../core/clues';
import { joinedModel, modelOf, type EngineModels } from '../engine/image-engine';
import { SCENE_RULES_MODEL } from '../models/scene-from-objects';
import { WHERE_VERSION } from '../where/weights';
import { METADATA_MODEL } from './read-metadata';

export const PDQ_MODEL: ModelRef = { name: 'pdq', version: '1.0-ts' };

/**
 * The model each stage would record if it ran now in this worker; undefined where the stage has
 * no model installed. The stages record exactly these, so a stored version can be compared.
 */
export function stageModels(models: EngineModels): Partial<Record<StageName, ModelRef>> {
  const readers = models.text.flatMap((t) => (t.ok ? [t.model] : []));
  const out: Partial<Record<StageName, ModelRef>> = {
    where: { name: 'where', version: WHERE_VERSION },
    hashes: PDQ_MODEL,
    metadata: METADATA_MODEL,
    scene: modelOf(models.scene) ?? SCENE_RULES_MODEL,
  };
  const objects = modelOf(models.objects);
  const embedder = modelOf(models.embedder);
  const matcher = modelOf(models.matcher);
  if (objects) out.objects = objects;
  if (readers.length) out.text = joinedModel(readers);
  if (embedder && matcher) out.features = joinedModel([embedder, matcher]);
  if (matcher) out.places = matcher;
  return out;
}

import type { ModelRef, StageName } from '../core/clues';
import type { Models } from '../models/registry';
import { SCENE_RULES_MODEL } from '../models/scene-from-objects';
import { EXIFR_VERSION } from './read-metadata';

export const PDQ_MODEL: ModelRef = { name: 'pdq', version: '1.0-ts' };

const joined = (refs: ModelRef[]): ModelRef => ({ name: refs.map((r) => r.name).join('+'), version: refs.map((r) => r.version).join('+') });

/**
 * The model each stage would record if it ran now in this worker; undefined where the stage has
 * no model installed. The stages record exactly these, so a stored version can be compared.
 */
export function stageModels(models: Omit<Models, 'close'>): Partial<Record<StageName, ModelRef>> {
  const readers = models.textReaders.flatMap((r) => (r.ok ? [r.value.model] : []));
  const out: Partial<Record<StageName, ModelRef>> = {
    hashes: PDQ_MODEL,
    metadata: { name: 'exifr', version: EXIFR_VERSION },
    scene: models.scene.ok ? models.scene.value.model : SCENE_RULES_MODEL,
  };
  if (models.detector.ok) out.objects = models.detector.value.model;
  if (readers.length) out.text = joined(readers);
  if (models.embedder.ok && models.matcher.ok) out.features = joined([models.embedder.value.model, models.matcher.value.model]);
  if (models.matcher.ok) out.places = models.matcher.value.model;
  return out;
}

export { joined as joinedModel };

import type { StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import { sceneFromObjects, SCENE_RULES_MODEL } from '../models/scene-from-objects';
import type { StageDefinition } from './stage';

/** Workflows recorded before the stage registry sent the detections themselves. */
type LegacyInput = { objects?: { label: string; score: number }[] };

const objectsOf = (input: unknown, objects?: StageOutcome) =>
  (input as LegacyInput).objects ?? (objects?.clues ?? []).map((c) => ({ label: c.value, score: c.score ?? 0 }));

/** The kind of place: from a scene model when one is installed, otherwise derived from objects. */
export const classifyScene: StageDefinition<'scene'> = {
  ownModel: SCENE_RULES_MODEL,
  async run({ input, inputs, deps, engine }) {
    const objects = objectsOf(input, inputs.objects);
    const classifier = deps.engine.models.scene;
    if (!classifier.ok) {
      return {
        reason: `derived from detected objects (${classifier.reason})`,
        clues: sceneFromObjects(objects).map((l) => ({
          type: 'scene',
          value: l.label,
          tokens: uniqueTokens(l.label),
          score: l.score,
          detail: { method: 'derived from objects', evidence: l.evidence },
        })),
      };
    }
    const labels = await engine(objects);
    return { clues: labels.map((l) => ({ type: 'scene', value: l.label, tokens: uniqueTokens(l.label), score: l.score })) };
  },
};

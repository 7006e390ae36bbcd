import type { ModelRef } from '../core/clues';
import type { SceneLabel } from './scene-classifier';

// No pretrained place classifier (Places365-style) ships in a registry package we can use, so the
// scene is derived from detected COCO objects by explicit rules, and labelled as derived.

export const SCENE_RULES_MODEL: ModelRef = { name: 'scene-from-objects', version: '1' };
/** Location clues made when a place is added and earlier images are matched against it. */
export const SCENE_MATCH_MODEL_NAME = 'orb-ransac-place-match';

const PLACE_HINTS: Record<string, string[]> = {
  bedroom: ['bed', 'teddy bear'],
  bathroom: ['toilet', 'toothbrush', 'hair drier', 'sink'],
  kitchen: ['oven', 'microwave', 'refrigerator', 'toaster', 'sink'],
  'dining room': ['dining table', 'wine glass', 'fork', 'knife', 'spoon', 'bowl'],
  'living room': ['couch', 'tv', 'remote', 'potted plant'],
  office: ['laptop', 'keyboard', 'mouse', 'book'],
  street: ['car', 'bus', 'truck', 'traffic light', 'stop sign', 'parking meter', 'fire hydrant', 'motorcycle', 'bicycle'],
  'sports field': ['sports ball', 'baseball bat', 'baseball glove', 'frisbee', 'kite'],
  beach: ['surfboard', 'umbrella'],
  'snow slope': ['skis', 'snowboard'],
  waterside: ['boat'],
  countryside: ['horse', 'sheep', 'cow'],
};
const INDOOR = new Set(['bed', 'toilet', 'sink', 'oven', 'microwave', 'refrigerator', 'toaster', 'couch', 'tv', 'laptop', 'keyboard', 'mouse', 'remote', 'book', 'dining table', 'teddy bear', 'hair drier', 'toothbrush', 'clock', 'vase', 'chair']);
const OUTDOOR = new Set(['car', 'bus', 'truck', 'traffic light', 'stop sign', 'parking meter', 'fire hydrant', 'bench', 'boat', 'airplane', 'train', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'kite', 'skis', 'snowboard', 'surfboard']);

/** Place types and indoor/outdoor supported by at least one detected object, strongest first. */
export function sceneFromObjects(objects: { label: string; score: number }[]): (SceneLabel & { evidence: string[] })[] {
  const out: (SceneLabel & { evidence: string[] })[] = [];
  for (const [place, hints] of Object.entries(PLACE_HINTS)) {
    const seen = objects.filter((o) => hints.includes(o.label));
    if (seen.length === 0) continue;
    const kinds = [...new Set(seen.map((o) => o.label))];
    // More distinct supporting objects, more confidence; never above the best detection's score.
    const score = Math.min(Math.max(...seen.map((o) => o.score)), 0.3 + 0.2 * kinds.length);
    out.push({ label: place, score: Math.round(score * 1000) / 1000, evidence: kinds });
  }
  const indoor = objects.filter((o) => INDOOR.has(o.label));
  const outdoor = objects.filter((o) => OUTDOOR.has(o.label));
  if (indoor.length || outdoor.length) {
    const isIndoor = indoor.reduce((s, o) => s + o.score, 0) >= outdoor.reduce((s, o) => s + o.score, 0);
    const side = isIndoor ? indoor : outdoor;
    out.push({ label: isIndoor ? 'indoor' : 'outdoor', score: Math.round(Math.max(...side.map((o) => o.score)) * 1000) / 1000, evidence: [...new Set(side.map((o) => o.label))] });
  }
  return out.sort((a, b) => b.score - a.score);
}

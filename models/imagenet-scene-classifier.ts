import type { ModelRef } from '../core/clues';
import type { ImageNetBackbone } from './imagenet-backbone';
import type { DecodedImage } from './image-loader';
import type { SceneClassifier, SceneLabel } from './scene-classifier';
import { classIndices, INDOOR_CLASSES, OBJECT_CONTEXT, OUTDOOR_CLASSES, PLACE_CLASSES } from './scene-taxonomy';

/** A place type is reported from this score up. */
const MIN_PLACE_SCORE = 0.1;
/** How much a detected object adds to its place's score (times the detection's score). */
const OBJECT_WEIGHT = 0.3;

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Scene types from the ImageNet backbone's class probabilities, summed over the taxonomy's groups
 * (models/scene-taxonomy.ts), with detected objects as context. Indoor or outdoor is always
 * answered when the model or the objects lean either way; place types only above a floor.
 */
export class ImageNetSceneClassifier implements SceneClassifier {
  readonly inputSide: number;
  readonly model: ModelRef;
  private readonly places: [string, number[]][];
  private readonly indoor: number[];
  private readonly outdoor: number[];

  constructor(private readonly backbone: ImageNetBackbone) {
    this.inputSide = backbone.inputSide;
    this.model = { name: 'imagenet-scene-groups+mobilenet-v2', version: `1+${backbone.model.version}` };
    this.places = Object.entries(PLACE_CLASSES).map(([p, names]) => [p, classIndices(backbone.labels, names)]);
    this.indoor = classIndices(backbone.labels, INDOOR_CLASSES);
    this.outdoor = classIndices(backbone.labels, OUTDOOR_CLASSES);
  }

  async classify(image: DecodedImage, objects: { label: string; score: number }[] = []): Promise<SceneLabel[]> {
    const { probs } = await this.backbone.run(image);
    const labels = this.backbone.labels;
    const sum = (idx: number[]) => idx.reduce((s, i) => s + probs[i]!, 0);
    const top = (idx: number[]) => [...idx].sort((a, b) => probs[b]! - probs[a]!).filter((i) => probs[i]! >= 0.02).slice(0, 3).map((i) => `${labels[i]!.split(',')[0]} ${probs[i]!.toFixed(2)}`);
    const context = (group: string) => {
      const seen = objects.filter((o) => OBJECT_CONTEXT[group]?.includes(o.label));
      return { score: seen.length ? Math.max(...seen.map((o) => o.score)) : 0, kinds: [...new Set(seen.map((o) => `object: ${o.label}`))] };
    };
    const out: SceneLabel[] = [];
    for (const [place, idx] of this.places) {
      const ctx = context(place);
      const score = Math.min(1, sum(idx) + OBJECT_WEIGHT * ctx.score);
      if (score >= MIN_PLACE_SCORE) out.push({ label: place, score: round(score), evidence: [...top(idx), ...ctx.kinds] });
    }
    const inCtx = context('indoor');
    const outCtx = context('outdoor');
    const inside = sum(this.indoor) + OBJECT_WEIGHT * inCtx.score;
    const outside = sum(this.outdoor) + OBJECT_WEIGHT * outCtx.score;
    if (inside + outside > 0.05) {
      const isIndoor = inside >= outside;
      out.push({
        label: isIndoor ? 'indoor' : 'outdoor',
        score: round((isIndoor ? inside : outside) / (inside + outside)),
        evidence: isIndoor ? [...top(this.indoor), ...inCtx.kinds] : [...top(this.outdoor), ...outCtx.kinds],
      });
    }
    return out.sort((a, b) => b.score - a.score);
  }
}

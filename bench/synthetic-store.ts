import { COCO_LABELS } from '../models/coco-labels';
import type { ClueDoc, ImageDoc, Store } from '../store';

// A synthetic store for the benchmarks: N images with ten clues each (six text lines drawn from a
// Zipf-distributed 20,000-word vocabulary, three COCO objects, one scene), fifty cases. The same
// seed gives the same store, so figures compare across versions.

const BATCH = 2000;

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'ro', 'mi', 'ten', 'vel', 'sor', 'an', 'dun', 'bel', 'hoe', 'wiv', 'gra', 'lin', 'port', 'ster', 'ham', 'by', 'ford', 'ley', 'mar'];
/** A 20,000-word vocabulary; word i is drawn with Zipf-like frequency ~ 1/(i+1). */
export const VOCAB = Array.from({ length: 20_000 }, (_, i) => {
  let w = '';
  for (let n = i + 7; w.length < 5 || n > 0; n = Math.floor(n / SYLLABLES.length)) w += SYLLABLES[n % SYLLABLES.length];
  return w;
});
const SCENES = ['bedroom', 'bathroom', 'kitchen', 'street', 'living room', 'office', 'indoor', 'outdoor'];

function zipf(r: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(Math.exp(r() * Math.log(n + 1)) - 1));
}

/** Builds the store unless it holds `count` images already; seconds taken (0 when reused). */
export async function buildSyntheticStore(store: Store, count: number, progress: (built: number, perSecond: number) => void = () => undefined): Promise<number> {
  const have = await store.images.images.estimatedDocumentCount();
  if (have >= count) return 0;
  if (have > 0) throw new Error(`the database holds ${have} of ${count} images (an interrupted build): drop it`);
  const r = rng(42);
  const started = Date.now();
  for (let i = 0; i < count; i += BATCH) {
    const images: ImageDoc[] = [];
    const clues: ClueDoc[] = [];
    const now = new Date();
    for (let j = i; j < Math.min(count, i + BATCH); j++) {
      const sha256 = j.toString(16).padStart(8, '0').repeat(8);
      images.push({ _id: sha256, sha256, paths: [`/seizure/${Math.floor(j / 1000)}/${j}.jpg`], cases: [`case-${j % 50}`], status: 'processed', createdAt: now, updatedAt: now });
      for (let k = 0; k < 6; k++) {
        const words = Array.from({ length: 1 + Math.floor(r() * 3) }, () => VOCAB[zipf(r, VOCAB.length)]!);
        clues.push({ _id: `${sha256}:text:${k}`, sha256, stage: 'text', type: 'text', value: words.join(' ').toUpperCase(), tokens: [...new Set(words)], score: Math.round((0.5 + r() / 2) * 1000) / 1000, createdAt: now });
      }
      for (let k = 0; k < 3; k++) {
        const label = COCO_LABELS[zipf(r, COCO_LABELS.length)]!;
        clues.push({ _id: `${sha256}:objects:${k}`, sha256, stage: 'objects', type: 'object', value: label, tokens: label.split(' '), score: Math.round((0.3 + r() * 0.7) * 1000) / 1000, createdAt: now });
      }
      const scene = SCENES[Math.floor(r() * SCENES.length)]!;
      clues.push({ _id: `${sha256}:scene:0`, sha256, stage: 'scene', type: 'scene', value: scene, tokens: scene.split(' '), score: Math.round(r() * 1000) / 1000, createdAt: now });
    }
    await store.images.bulkInsert(images, clues);
    progress(i + images.length, Math.round((i + images.length) / ((Date.now() - started) / 1000)));
  }
  return (Date.now() - started) / 1000;
}


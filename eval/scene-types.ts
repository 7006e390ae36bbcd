import { sceneFromObjects } from '../models/scene-from-objects';
import type { LocalEngine } from '../engine/local-engine';
import type { Evaluation } from './evaluation';
import { pct, report, type Timings } from './report';

/** Indoor or outdoor, and the place type where one is labelled, as the scene stage answers. */
export async function sceneAccuracy(items: { path: string; indoor: boolean; place?: string }[], engine: LocalEngine, timings: Timings) {
  let right = 0;
  const wrong: string[] = [];
  for (const item of items) {
    let labels: { label: string; score: number }[];
    const objects = (await engine.objects({ path: item.path }, 0)).found;
    if (engine.models.scene.ok) labels = await timings.timed('scene', () => engine.scene({ path: item.path }, objects));
    else labels = await timings.timed('scene', async () => sceneFromObjects(objects));
    const inOut = labels.filter((l) => l.label === 'indoor' || l.label === 'outdoor').sort((a, b) => b.score - a.score)[0]?.label;
    const place = labels.filter((l) => l.label !== 'indoor' && l.label !== 'outdoor').sort((a, b) => b.score - a.score)[0]?.label;
    const ok = inOut === (item.indoor ? 'indoor' : 'outdoor') && (!item.place || place === item.place);
    if (ok) right++;
    else wrong.push(`${item.path.split('/').pop()}: ${inOut ?? 'none'}/${place ?? 'none'} (truth ${item.indoor ? 'indoor' : 'outdoor'}/${item.place ?? '-'})`);
  }
  return { accuracy: right / items.length, wrong };
}

export const sceneTypes: Evaluation = {
  name: 'scene',
  figures: ['scene_accuracy'],
  engine: true,
  async run({ set, engine, timings }) {
    const { accuracy, wrong } = await sceneAccuracy(set.sceneLabels, engine, timings);
    console.log(`\nScene type: ${set.sceneLabels.length} photos labelled indoor/outdoor, ${set.sceneLabels.filter((s) => s.place).length} with a place type`);
    report('scene accuracy (indoor/outdoor, and place type where labelled)', pct(accuracy), 'target >= 80%');
    if (wrong.length) console.log(`  wrong: ${wrong.join('; ')}`);
    return { scene_accuracy: accuracy };
  },
};

import type { Evaluation, Figures } from './evaluation';
import { HALVES, realPhotos, sceneItems } from './photos';
import { pct, report } from './report';
import { sceneAccuracy } from './scene-types';

/** Indoor or outdoor (and the place type where labelled) on the real photos, per half. */
export const photoScenes: Evaluation = {
  name: 'photo-scene',
  figures: ['tune_scene_accuracy', 'report_scene_accuracy'],
  engine: true,
  async run({ engine, timings }) {
    const set = realPhotos();
    const out: Figures = {};
    for (const half of HALVES) {
      const items = sceneItems(set, half);
      const { accuracy, wrong } = await sceneAccuracy(items, engine, timings);
      console.log(`\nScene type on real photos, ${half} half${half === 'report' ? ' (no setting is chosen on it)' : ''}: ${items.length} photos, ${items.filter((i) => i.place).length} with a place type`);
      report('scene accuracy (indoor/outdoor, and place type where labelled)', pct(accuracy), half === 'report' ? 'target >= 80%' : '');
      if (half === 'tune' && wrong.length) console.log(`  wrong: ${wrong.join('; ')}`);
      out[`${half}_scene_accuracy`] = accuracy;
    }
    return out;
  },
};

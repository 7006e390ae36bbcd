import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CenterNetDetector } from '../models/centernet-detector';
import { ImageNetBackbone } from '../models/imagenet-backbone';
import { VerifiedDetector } from '../models/verified-detector';
import { decodeRgb } from '../models/image-loader';
import { iou } from '../models/nms';
import { fileSha256 } from '../models/file-hashes';
import { SAMPLES, tempDir, uniqueCopy } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

let detector: CenterNetDetector;
let ctx: TestContext;
beforeAll(async () => {
  detector = await CenterNetDetector.create();
  ctx = await openTestContext('objects');
});
afterAll(async () => ctx?.close());

async function labels(sample: string): Promise<string[]> {
  const img = await decodeRgb(join(SAMPLES, sample), 1e8, detector.inputSide);
  return (await detector.detect(img)).map((d) => d.label);
}

describe('object detection (CenterNet COCO, TensorFlow.js)', () => {
  it.each([
    ['coffee.png', 'cup'],
    ['motorcycle_left.png', 'motorcycle'],
    ['astronaut.png', 'person'],
  ])('when %s is analysed, then a %s is found', async (sample, label) => {
    expect(await labels(sample)).toContain(label);
  });

  it('when CenterNet calls a cup on a brick wall a toilet, then the ImageNet second look names it a cup', async () => {
    const dir = tempDir('objects');
    const wall = await sharp(join(__dirname, '..', 'eval', 'source', 'brick.png')).removeAlpha().resize(800, 600, { fit: 'cover' }).toBuffer();
    const cup = await sharp(join(SAMPLES, 'coffee.png')).removeAlpha().extract({ left: 172, top: 18, width: 240, height: 285 }).resize(156, 185).toBuffer();
    const path = join(dir, 'cup-on-bricks.png');
    await sharp(wall).composite([{ input: cup, left: 300, top: 200 }]).png().toFile(path);
    const img = await decodeRgb(path, 1e8, detector.inputSide);
    expect((await detector.detect(img)).map((d) => d.label)).toEqual(['toilet']);
    const verified = new VerifiedDetector(await CenterNetDetector.create(0.1), await ImageNetBackbone.create());
    const found = await verified.detect(img);
    expect(found.map((d) => d.label)).toEqual(['cup']);
    expect(iou(found[0]!.box, { x: 300 * 0.64, y: 200 * 0.64, w: 156 * 0.64, h: 185 * 0.64 })).toBeGreaterThan(0.5);
  });

  it('when boxes of one label overlap, then only the best one is kept', async () => {
    const img = await decodeRgb(join(SAMPLES, 'motorcycle_left.png'), 1e8, detector.inputSide);
    const found = await detector.detect(img);
    for (const a of found) {
      for (const b of found) if (a !== b && a.label === b.label) expect(iou(a.box, b.box)).toBeLessThanOrEqual(0.5);
    }
  });

  it('when an image goes through the workflow, then each object clue has a box in original pixels and a padded crop file', async () => {
    const dir = tempDir('objects');
    // Twice the size of the sample: boxes must be mapped back from the detector's 512 px input.
    const big = join(dir, 'coffee-big.png');
    await sharp(await uniqueCopy('coffee.png', dir)).resize(1200).png().toFile(big);
    const sha256 = await fileSha256(big);
    await ctx.withWorker((taskQueue) =>
      ctx.client.workflow.execute('processImage', { workflowId: `image-${sha256}`, taskQueue, args: [{ path: big, sha256 }], workflowIdReusePolicy: 'ALLOW_DUPLICATE' }),
    );
    const objects = (await ctx.store.images.cluesOf(sha256)).filter((c) => c.type === 'object');
    const cup = objects.find((c) => c.value === 'cup');
    expect(cup).toBeDefined();
    expect(cup!.model).toMatchObject({ name: expect.stringMatching(/^centernet-coco.*\+imagenet-check$/), version: expect.stringMatching(/^@vladmandic\/human@3\.3\.6\+/) });
    expect(cup!.box!.x + cup!.box!.w).toBeLessThanOrEqual(1200);
    expect(cup!.box!.w).toBeGreaterThan(300); // the cup fills much of the frame at 1200 px
    const crop = join(ctx.cfg.dataDir, cup!.detail!.crop as string);
    expect(existsSync(crop)).toBe(true);
    const meta = await sharp(crop).metadata();
    expect(meta.width).toBeGreaterThan(cup!.box!.w); // padded
    expect(meta.width).toBeLessThan(1200);
  });
});

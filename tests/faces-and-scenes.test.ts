import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config';
import type { EngineProcess } from '../engine/engine-process';
import { startEngine } from '../engine/start-engine';
import sharp from 'sharp';
import { scanFaces } from '../models/face-scan';
import { decodeRgb } from '../models/image-loader';
import { iou } from '../models/nms';
import { RetinaFaceDetector } from '../models/retinaface-detector';
import { SAMPLES, tempDir } from './support/fixtures';

// The engine process's face and scene operations, on real photos with known answers.

const EVAL_SOURCES = join(__dirname, '..', 'eval', 'source');
const cfg = loadConfig();
let engine: EngineProcess;

beforeAll(async () => {
  engine = await startEngine(cfg);
});
afterAll(async () => engine?.close());

describe('faces', () => {
  it('when a photo shows a frontal face, then the engine finds it, with its box in the image pixels and five landmarks', async () => {
    expect(engine.models.faces).toMatchObject({ ok: true, model: { name: 'retinaface-mobilenet0.25-onnx+animal-check' } });
    const { faces } = await engine.faces({ path: join(SAMPLES, 'astronaut.png') });
    expect(faces).toHaveLength(1);
    expect(faces[0]!.score).toBeGreaterThan(0.95);
    expect(iou(faces[0]!.box, { x: 165, y: 40, w: 130, h: 160 })).toBeGreaterThan(0.4);
    expect(faces[0]!.landmarks).toHaveLength(5);
  });

  it('when a face is small in a room, then it is found where it is', async () => {
    const { faces } = await engine.faces({ path: join(EVAL_SOURCES, 'basketball1.png') });
    expect(faces.some((f) => iou(f.box, { x: 70, y: 90, w: 36, h: 46 }) > 0.4)).toBe(true);
  });

  it('when a photo has no person, then no face is found (a cat, a cup, a baboon, a dog)', async () => {
    for (const path of [join(SAMPLES, 'chelsea.png'), join(SAMPLES, 'coffee.png'), join(EVAL_SOURCES, 'baboon.jpg'), join(EVAL_SOURCES, 'chicky_512.png')]) {
      expect((await engine.faces({ path })).faces, path).toEqual([]);
    }
  });
  it("when RetinaFace takes a dog's face for a face, then the ImageNet second look refuses it", async () => {
    const dog = join(tempDir('faces'), 'dog.jpg');
    await sharp(join(EVAL_SOURCES, 'chicky_512.png')).removeAlpha().resize(640, 480, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(dog);
    const retinaface = await RetinaFaceDetector.create();
    expect(await scanFaces(retinaface, (side) => decodeRgb(dog, 1e8, side), { width: 640, height: 480 })).toHaveLength(1); // RetinaFace alone: a face at 0.91
    expect((await engine.faces({ path: dog })).faces).toEqual([]);
    await retinaface.close();
  });
});

describe('scene types', () => {
  it('when a photo shows a street, then the scene model says outdoor and street, with the classes it rests on', async () => {
    expect(engine.models.scene).toMatchObject({ ok: true, model: { name: 'imagenet-scene-groups+mobilenet-v2' } });
    const labels = await engine.scene({ path: join(EVAL_SOURCES, 'leuvenA.jpg') });
    expect(labels.map((l) => l.label)).toEqual(expect.arrayContaining(['outdoor', 'street']));
    expect(labels.find((l) => l.label === 'street')!.evidence!.join(' ')).toMatch(/castle|palace|church/);
  });

  it('when a photo is taken in a room, then it is indoor', async () => {
    const labels = await engine.scene({ path: join(EVAL_SOURCES, 'basketball1.png') });
    expect(labels.find((l) => l.label === 'indoor' || l.label === 'outdoor')?.label).toBe('indoor');
  });

  it('when the objects stage found things, then they add to their place type and are named as evidence', async () => {
    const path = join(SAMPLES, 'coffee.png');
    const alone = await engine.scene({ path });
    const withObjects = await engine.scene({ path }, [{ label: 'dining table', score: 0.9 }, { label: 'cup', score: 0.8 }]);
    const restaurant = withObjects.find((l) => l.label === 'restaurant')!;
    expect(restaurant.score).toBeGreaterThanOrEqual(alone.find((l) => l.label === 'restaurant')?.score ?? 0);
    expect(restaurant.evidence).toEqual(expect.arrayContaining(['object: dining table']));
  });
});

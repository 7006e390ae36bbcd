import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config';
import { LocalEngine } from '../engine/local-engine';
import { detectionWith } from '../eval/detection-score';
import { Timings } from '../eval/report';
import { REAL_OBJECTS, SCENE_TEXT, src } from '../eval/set';
import { readWords } from '../eval/text';

// A small, fast part of `npm run eval` with floors, so that a change that drops recall or
// precision on real photos fails here (the whole eval, with its report half, is `npm run eval`).
// Only photos committed in the repository (eval/source/: OpenCV's and ICDAR's): CI does not
// fetch the eval's packages. Floors sit a little under what this code reaches (figures in
// docs/models.md), so that one word or one box more or less on a busy machine does not flap.

let engine: LocalEngine;
const timings = new Timings();
beforeAll(async () => {
  engine = await LocalEngine.create(loadConfig());
}, 300_000);
afterAll(async () => {
  await engine?.close();
});

describe('eval floors (committed real photos)', () => {
  it('when the ICDAR scene-text photos are read, then OCR recall and precision stay above their floors', async () => {
    const items = SCENE_TEXT.map((t) => ({ path: src(t.image), words: t.words.split(' '), optional: t.optional?.split(' ') ?? [] }));
    const res = await readWords(items, engine, timings);
    console.log(`eval floors: OCR recall ${res.recall.toFixed(3)}, precision ${res.precision.toFixed(3)} on ${items.length} photos`);
    expect(res.recall).toBeGreaterThanOrEqual(OCR_RECALL_FLOOR);
    expect(res.precision).toBeGreaterThanOrEqual(OCR_PRECISION_FLOOR);
  });

  it('when the boxed real photos are searched for objects, then recall and precision stay above their floors', async () => {
    const items = REAL_OBJECTS.map((o) => ({ path: src(o.image), objects: o.objects, ...(o.ignore ? { ignore: o.ignore } : {}) }));
    const res = await detectionWith(items, 'objects', (path) => engine.objects({ path }, 0).then((r) => r.found), timings);
    console.log(`eval floors: object recall ${res.recall.toFixed(3)}, precision ${res.precision.toFixed(3)} on ${items.length} photos`);
    expect(res.recall).toBeGreaterThanOrEqual(OBJECT_RECALL_FLOOR);
    expect(res.precision).toBeGreaterThanOrEqual(OBJECT_PRECISION_FLOOR);
  });
});

// Reached by this code: OCR 0.923 / 0.923 (13 words), objects 0.70 / 0.70 (10 objects).
const OCR_RECALL_FLOOR = 0.84;
const OCR_PRECISION_FLOOR = 0.84;
const OBJECT_RECALL_FLOOR = 0.6;
const OBJECT_PRECISION_FLOOR = 0.6;

import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRgb } from '../models/image-loader';
import { ctcDecode, PpOcrTextReader, ppocrV6Small, textRegions } from '../models/ppocr-text-reader';
import { mergeLines } from '../models/text-merge';
import type { OcrLine } from '../models/text-reader';
import { SAMPLES, tempDir, textOnPhoto } from './support/fixtures';

let reader: PpOcrTextReader;
let v6: PpOcrTextReader;
beforeAll(async () => {
  reader = await PpOcrTextReader.create(1);
  v6 = await PpOcrTextReader.create(1, 'node', ppocrV6Small());
});
afterAll(async () => {
  await reader?.close();
  await v6?.close();
});

const line = (text: string, confidence: number, x: number, words = text.split(' ')): OcrLine => ({
  text,
  confidence,
  box: { x, y: 10, w: 200, h: 30 },
  words: words.map((w, i) => ({ text: w, confidence, box: { x: x + i * 50, y: 10, w: 45, h: 30 } })),
});

describe('scene text (PP-OCRv6 small with the angle classifier, what the worker runs)', () => {
  const read = async (text: string, name: string, turn = 0) => {
    const dir = tempDir('ppocr6');
    const img = await textOnPhoto('rocket.jpg', text, dir, name);
    const turned = join(dir, `turned-${name}`);
    await sharp(img).rotate(turn).png().toFile(turned);
    return (await v6.read(await decodeRgb(turned, 1e8))).map((l) => l.text).join(' ');
  };

  it('when a sign is upside down, then the angle classifier turns its line and it is read', async () => {
    expect(v6.model.name).toBe('ppocr-v6-small-onnx+cls');
    expect(await read('HOTEL MIRAMAR', 'upside-down.png', 180)).toMatch(/HOTEL MIRAMAR/);
  });

  it('when a sign is photographed sideways, then its tall line is levelled and read', async () => {
    expect(await read('HOTEL MIRAMAR', 'sideways.png', 90)).toMatch(/HOTEL MIRAMAR/);
  });

  it('when words carry accents, then the accents are kept (PP-OCRv4 has no such letters)', async () => {
    const text = await read('CAFÉ MÜNCHEN', 'accents.png');
    expect(text).toMatch(/CAFÉ/);
    expect(text).toMatch(/MÜNCHEN/);
  });
});

describe('scene text (PP-OCRv4 on onnxruntime)', () => {
  it('when a photographed page is read, then its heading comes back exactly', async () => {
    const lines = await reader.read(await decodeRgb(join(SAMPLES, 'page.png'), 1e8));
    expect(lines[0]?.text).toBe('Region-based segmentation');
    expect(lines[0]!.confidence).toBeGreaterThan(0.9);
  });

  it('when a sign is rendered onto a photo, then its words are read with a box around them', async () => {
    const img = await textOnPhoto('rocket.jpg', 'HOTEL MIRAMAR 24', tempDir('ppocr'), 'sign.png');
    const lines = await reader.read(await decodeRgb(img, 1e8));
    const text = lines.map((l) => l.text).join(' ');
    expect(text).toMatch(/HOTEL/);
    expect(text).toMatch(/MIRAMAR/);
    const hit = lines.find((l) => l.text.includes('MIRAMAR'))!;
    expect(hit.box.y).toBeGreaterThanOrEqual(0);
    expect(hit.box.y).toBeLessThan(160); // the banner sits in the top 140 px
  });

  it('when a word is set in widely spaced bold capitals, then its letter gaps are not taken for word spaces', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="110"><rect width="100%" height="100%" fill="white"/>
      <text x="30" y="80" font-family="DejaVu Sans" font-weight="bold" font-size="60" fill="black">LIMPOPO DINER</text></svg>`;
    const lines = await reader.read(await decodeRgb(await sharp(Buffer.from(svg)).png().toBuffer(), 1e8));
    expect(lines.map((l) => l.text).join(' ')).toBe('LIMPOPO DINER');
  });

  it('when a photo has no text, then nothing is invented', async () => {
    expect(await reader.read(await decodeRgb(join(SAMPLES, 'chelsea.png'), 1e8))).toEqual([]);
  });

  it('when CTC output repeats and blanks, then repeats collapse and blanks drop', () => {
    // steps x classes, classes = [blank, 'a', 'b']
    const p = (c: number) => [0, 1, 2].map((k) => (k === c ? 0.9 : 0.05));
    const probs = Float32Array.from([...p(1), ...p(1), ...p(0), ...p(1), ...p(2), ...p(2)]);
    expect(ctcDecode(probs, 6, 3, ['a', 'b']).text).toBe('aab');
  });

  it('when one glyph is read over two steps as two accented forms of its letter, then it is one letter, the likelier', () => {
    // classes = [blank, 'Ż', 'Ž', 'A']; Ż then Ž with no blank between: one letter. Ż, blank, Ż: two.
    const p = (c: number, v = 0.9) => [0, 1, 2, 3].map((k) => (k === c ? v : 0.03));
    const charset = ['Ż', 'Ž', 'A'];
    expect(ctcDecode(Float32Array.from([...p(1, 0.8), ...p(2, 0.6), ...p(3)]), 3, 4, charset).text).toBe('ŻA');
    expect(ctcDecode(Float32Array.from([...p(1), ...p(0), ...p(1)]), 3, 4, charset).text).toBe('ŻŻ');
  });

  it('when the probability map has two separate blobs, then two regions come back', () => {
    const w = 40;
    const h = 20;
    const prob = new Float32Array(w * h);
    for (let y = 5; y < 15; y++) for (let x = 2; x < 15; x++) prob[y * w + x] = 0.9;
    for (let y = 5; y < 15; y++) for (let x = 25; x < 38; x++) prob[y * w + x] = 0.9;
    expect(textRegions(prob, w, h)).toHaveLength(2);
  });
});

describe('merging OCR engines', () => {
  it('when two engines read the same line, then it is one line with the better text and both sets of tokens', () => {
    const merged = mergeLines([
      { engine: 'ppocr', lines: [line('Thesemarkers are pixels', 0.93, 0, ['Thesemarkers', 'are', 'pixels'])] },
      { engine: 'tesseract', lines: [line('These markers are pixels', 0.88, 5)] },
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.text).toBe('Thesemarkers are pixels');
    expect(merged[0]!.tokens).toEqual(expect.arrayContaining(['these', 'markers', 'pixels', 'thesemarkers']));
    expect(merged[0]!.readings.map((r) => r.engine)).toEqual(['ppocr', 'tesseract']);
  });

  it('when lines do not overlap, then both are kept; low-confidence noise is dropped', () => {
    const merged = mergeLines([
      { engine: 'ppocr', lines: [line('OPEN', 0.95, 0)] },
      { engine: 'tesseract', lines: [line('CLOSED', 0.9, 400), line('~~ ;', 0.2, 800)] },
    ]);
    expect(merged.map((m) => m.text)).toEqual(['OPEN', 'CLOSED']);
  });

  it('when only the second engine reads a line, then it needs high confidence to count', () => {
    const merged = mergeLines([
      { engine: 'ppocr', lines: [] },
      { engine: 'tesseract', lines: [line('GRAVEL NOISE', 0.6, 0), line('REAL SIGN', 0.9, 400)] },
    ]);
    expect(merged.map((m) => m.text)).toEqual(['REAL SIGN']);
  });
});

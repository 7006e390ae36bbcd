import { join } from 'node:path';
import { uniqueTokens } from '../core/tokens';
import { projectRoot } from '../core/project-root';
import { CenterNetDetector } from '../models/centernet-detector';
import { exifClues, readExif } from '../models/exif-reader';
import { fileDigests, fileSha256 } from '../models/file-hashes';
import { decodeGray, decodeRgb, probeImage } from '../models/image-loader';
import { OrbMatcher, type LocalFeatures } from '../models/local-features';
import { pdqFromFile } from '../models/pdq-image';
import { PpOcrTextReader } from '../models/ppocr-text-reader';
import { sceneFromObjects } from '../models/scene-from-objects';
import { TesseractTextReader } from '../models/tesseract-text-reader';
import { mergeLines } from '../models/text-merge';
import { buildEvalSet, PHOTOS } from '../eval/set';

// `npm run bench`: milliseconds per image for each stage and for the whole pipeline (stages run
// as the workflow runs them: five in parallel, then scene and places), warm, in one process,
// without Temporal or MongoDB (bench:batch measures those). Peak RSS is printed beside the times.

const MAX_PIXELS = 1e8;
const rss = () => `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`;
const peak = () => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;

function stats(xs: number[]): { mean: number; p50: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, p50: at(0.5), p95: at(0.95) };
}

async function timed<T>(times: Record<string, number[]>, name: string, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await run();
  (times[name] ??= []).push(performance.now() - t0);
  return out;
}

async function main(): Promise<void> {
  const root = projectRoot();
  const set = await buildEvalSet(join(root, 'bench', 'out', 'eval-set'));
  const src = (p: string) => (p.startsWith('eval:') ? join(root, 'eval', 'source', p.slice(5)) : join(root, 'samples', p));
  const images = [...PHOTOS.map(src), ...set.text.slice(0, 12).map((t) => t.path)];
  console.log(`bench: ${images.length} images (${PHOTOS.length} photos, 12 with signs), 2 cores; RSS at start ${rss()}`);

  const t0 = performance.now();
  const [detector, matcher, ppocr, tesseract] = await Promise.all([
    CenterNetDetector.create(),
    OrbMatcher.create(),
    PpOcrTextReader.create(1),
    TesseractTextReader.create('eng', 2),
  ]);
  console.log(`models loaded in ${(performance.now() - t0).toFixed(0)} ms; RSS with every model loaded ${rss()}`);
  const places: LocalFeatures[] = [];
  for (const p of PHOTOS.slice(0, 10)) places.push(matcher.extract(await decodeGray(src(p), MAX_PIXELS, matcher.inputSide)));

  const times: Record<string, number[]> = {};
  const pipeline = async (path: string, record: boolean) => {
    const t = record ? times : {};
    await timed(t, 'load (decode check + sha256)', () => Promise.all([probeImage(path, MAX_PIXELS), fileSha256(path)]));
    const [, , objects] = await Promise.all([
      timed(t, 'hashes (md5, sha1, PDQ)', () => Promise.all([fileDigests(path), pdqFromFile(path, MAX_PIXELS)])),
      timed(t, 'metadata (EXIF)', async () => exifClues(await readExif(path))),
      timed(t, 'objects (CenterNet, tfjs wasm)', async () => detector.detect(await decodeRgb(path, MAX_PIXELS, detector.inputSide))),
      timed(t, 'text (PP-OCR + tesseract, merged)', async () => {
        const rgb = await decodeRgb(path, MAX_PIXELS);
        const [a, b] = await Promise.all([
          timed(t, '  text: PP-OCRv4 (onnxruntime-node)', () => ppocr.read(rgb)),
          timed(t, '  text: tesseract.js (wasm)', () => tesseract.read(rgb)),
        ]);
        return mergeLines([{ engine: 'ppocr', lines: a }, { engine: 'tesseract', lines: b }]);
      }),
      timed(t, 'features (embedding + ORB)', async () => {
        const [rgb, gray] = await Promise.all([decodeRgb(path, MAX_PIXELS, detector.inputSide), decodeGray(path, MAX_PIXELS, matcher.inputSide)]);
        return [await detector.embed(rgb), matcher.extract(gray)] as const;
      }),
    ]);
    await Promise.all([
      timed(t, 'scene (from objects)', async () => sceneFromObjects(objects.map((o) => ({ label: o.label, score: o.score })))),
      timed(t, 'places (ORB vs 10 known places)', async () => {
        const q = matcher.extract(await decodeGray(path, MAX_PIXELS, matcher.inputSide));
        return places.map((p) => matcher.match(q, p));
      }),
    ]);
  };

  await pipeline(images[0]!, false); // warm-up
  const wall: number[] = [];
  for (const path of images) {
    const s = performance.now();
    await pipeline(path, true);
    wall.push(performance.now() - s);
  }
  console.log(`\n${'stage'.padEnd(40)} ${'mean ms'.padStart(8)} ${'p50'.padStart(7)} ${'p95'.padStart(7)}`);
  for (const [name, xs] of Object.entries(times)) {
    const s = stats(xs);
    console.log(`${name.padEnd(40)} ${s.mean.toFixed(0).padStart(8)} ${s.p50.toFixed(0).padStart(7)} ${s.p95.toFixed(0).padStart(7)}`);
  }
  const w = stats(wall);
  console.log(`${'whole pipeline, one image at a time'.padEnd(40)} ${w.mean.toFixed(0).padStart(8)} ${w.p50.toFixed(0).padStart(7)} ${w.p95.toFixed(0).padStart(7)}`);

  // Two images in flight, as a worker with cpu concurrency 2 runs them.
  const s2 = performance.now();
  for (let i = 0; i < images.length; i += 2) await Promise.all(images.slice(i, i + 2).map((p) => pipeline(p, false)));
  const perImage2 = (performance.now() - s2) / images.length;
  console.log(`${'whole pipeline, two images in flight'.padEnd(40)} ${perImage2.toFixed(0).padStart(8)}   (${(3600_000 / perImage2).toFixed(0)} images/hour)`);
  console.log(`peak RSS so far ${peak()}`);

  // Runtimes where there is a choice, one thread each, on the photos with signs.
  console.log('\nruntime comparison (one thread each, 12 photos with signs, warm)');
  const wasm = await PpOcrTextReader.create(1, 'wasm');
  const tess1 = await TesseractTextReader.create('eng', 1);
  const signs = set.text.slice(0, 12);
  for (const [name, reader] of [['PP-OCRv4 on onnxruntime-node (native)', ppocr], ['PP-OCRv4 on onnxruntime-web (wasm)', wasm], ['tesseract.js 7 (wasm)', tess1]] as const) {
    await reader.read(await decodeRgb(signs[0]!.path, MAX_PIXELS));
    const ms: number[] = [];
    let found = 0;
    let truth = 0;
    for (const s of signs) {
      const rgb = await decodeRgb(s.path, MAX_PIXELS);
      const t = performance.now();
      const lines = await reader.read(rgb);
      ms.push(performance.now() - t);
      const got = new Set(lines.flatMap((l) => l.words.flatMap((w) => uniqueTokens(w.text, 2))));
      found += s.words.filter((x) => got.has(x.toLowerCase())).length;
      truth += s.words.length;
    }
    console.log(`  ${name.padEnd(40)} ${stats(ms).mean.toFixed(0).padStart(6)} ms/image   word recall ${((100 * found) / truth).toFixed(0)}%`);
  }
  await Promise.all([ppocr.close(), tesseract.close(), wasm.close(), tess1.close()]);
  console.log(`\npeak RSS ${peak()} (includes the comparison's extra runtimes; the worker loads one of each)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { join } from 'node:path';
import { rankSimilar } from '../usecases/similar-images';
import { projectRoot } from '../core/project-root';
import { uniqueTokens } from '../core/tokens';
import { CenterNetDetector } from '../models/centernet-detector';
import { loadConfig } from '../core/config';
import { LocalEngine } from '../engine/local-engine';
import type { QueryResult } from '../engine/image-engine';
import { decodeRgb } from '../models/image-loader';
import { iou } from '../models/nms';
import { pdqDistance, PDQ_MATCH_DISTANCE } from '../models/pdq';
import { pdqFromFile } from '../models/pdq-image';
import { PpOcrTextReader } from '../models/ppocr-text-reader';
import { TesseractTextReader } from '../models/tesseract-text-reader';
import { mergeLines } from '../models/text-merge';
import type { SimilarityCandidate } from '../store';
import { buildEvalSet } from './eval-set';

// `npm run eval`: quality of every extractor on the evaluation set, against the targets.

const MAX_PIXELS = 1e8;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const rows: [string, string, string][] = [];
const report = (metric: string, value: string, target = '') => {
  rows.push([metric, value, target]);
  console.log(`${metric.padEnd(48)} ${value.padStart(10)}  ${target}`);
};

async function ocr(set: Awaited<ReturnType<typeof buildEvalSet>>): Promise<void> {
  const ppocr = await PpOcrTextReader.create(2);
  const tesseract = await TesseractTextReader.create('eng', 2);
  const totals: Record<string, { tp: number; truth: number; predicted: number }> = {};
  const byVariant: Record<string, { tp: number; truth: number }> = {};
  for (const item of set.text) {
    const rgb = await decodeRgb(item.path, MAX_PIXELS);
    const readings = [
      { engine: 'ppocr', lines: await ppocr.read(rgb) },
      { engine: 'tesseract', lines: await tesseract.read(rgb) },
    ];
    const truth = new Set(item.words.flatMap((w) => uniqueTokens(w, 2)));
    const engines: Record<string, string[]> = {
      'PP-OCRv4 alone': mergeLines([readings[0]!]).flatMap((l) => l.tokens),
      'tesseract alone': mergeLines([readings[1]!]).flatMap((l) => l.tokens),
      'merged (what is stored)': mergeLines(readings).flatMap((l) => l.tokens),
    };
    for (const [name, tokens] of Object.entries(engines)) {
      const got = new Set(tokens);
      const t = (totals[name] ??= { tp: 0, truth: 0, predicted: 0 });
      t.tp += [...truth].filter((w) => got.has(w)).length;
      t.truth += truth.size;
      t.predicted += got.size;
      if (name.startsWith('merged')) {
        const v = (byVariant[item.variant] ??= { tp: 0, truth: 0 });
        v.tp += [...truth].filter((w) => got.has(w)).length;
        v.truth += truth.size;
      }
    }
  }
  await ppocr.close();
  await tesseract.close();
  console.log(`\nScene text: ${set.text.length} photos with a two-word sign (plain, rotated, blurred, JPEG 40, small, sheared)`);
  for (const [name, t] of Object.entries(totals)) {
    report(`OCR word recall, ${name}`, pct(t.tp / t.truth), name.startsWith('merged') ? 'target >= 80%' : '');
    report(`OCR word precision, ${name}`, pct(t.predicted ? t.tp / t.predicted : 0));
  }
  for (const [v, t] of Object.entries(byVariant)) report(`OCR word recall (merged), ${v}`, pct(t.tp / t.truth));
}

async function detection(set: Awaited<ReturnType<typeof buildEvalSet>>, detector: CenterNetDetector): Promise<void> {
  const perClass: Record<string, { hit: number; n: number }> = {};
  for (const item of set.objects) {
    const img = await decodeRgb(item.path, MAX_PIXELS, detector.inputSide);
    const found = (await detector.detect(img)).map((d) => ({ ...d, box: { x: d.box.x * img.scale, y: d.box.y * img.scale, w: d.box.w * img.scale, h: d.box.h * img.scale } }));
    for (const o of item.objects) {
      const c = (perClass[o.label] ??= { hit: 0, n: 0 });
      c.n++;
      if (found.some((d) => d.label === o.label && iou(d.box, o.box) >= 0.5)) c.hit++;
    }
  }
  console.log(`\nObjects: ${set.objects.length} images (originals, and objects pasted onto new backgrounds)`);
  let hit = 0;
  let n = 0;
  for (const [label, c] of Object.entries(perClass)) {
    report(`detection recall @ IoU 0.5, ${label}`, `${c.hit}/${c.n}`);
    hit += c.hit;
    n += c.n;
  }
  report('detection recall @ IoU 0.5, all classes present', pct(hit / n));
}

async function scenes(set: Awaited<ReturnType<typeof buildEvalSet>>, engine: LocalEngine): Promise<void> {
  const gallery = await Promise.all(set.scenes.gallery.map(async (g) => ({ id: g.id, q: await engine.query({ path: g.path }) })));
  const candidates: (SimilarityCandidate & { id: string; q: QueryResult })[] = gallery.map((g) => ({
    sha256: g.q.sha256, path: g.id, pdq: g.q.pdq, embedding: g.q.embedding, featuresPath: g.id, id: g.id, q: g.q,
  }));
  const features = (c: SimilarityCandidate) => candidates.find((x) => x.sha256 === c.sha256)!.q.features;
  const recallAt = async (queries: { path: string; scene: string }[]) => {
    let at1 = 0;
    let at3 = 0;
    const misses: string[] = [];
    for (const q of queries) {
      const query = await engine.query({ path: q.path });
      const hits = await rankSimilar(query, candidates, (cs) => engine.match(query.features, cs.map(features)), { limit: 3, verifyTop: 50 });
      const ranks = hits.map((h) => h.path);
      if (ranks[0] === q.scene) at1++;
      if (ranks.includes(q.scene)) at3++;
      else misses.push(q.path.split('/').pop()!);
    }
    return { at1: at1 / queries.length, at3: at3 / queries.length, misses };
  };
  console.log(`\nScenes: gallery of ${gallery.length} photos; ${set.scenes.viewpoints.length} other-viewpoint queries, ${set.scenes.crops.length} crop queries`);
  const vp = await recallAt(set.scenes.viewpoints);
  report('same-scene retrieval recall@1', pct(vp.at1));
  report('same-scene retrieval recall@3', pct(vp.at3), 'target >= 90%');
  if (vp.misses.length) console.log(`  missed: ${vp.misses.join(', ')}`);
  const crops = await recallAt(set.scenes.crops);
  report('crop-in-scene retrieval recall@1', pct(crops.at1));
  report('crop-in-scene retrieval recall@3', pct(crops.at3), 'target >= 80%');
  if (crops.misses.length) console.log(`  missed: ${crops.misses.join(', ')}`);
}

async function nearDuplicates(set: Awaited<ReturnType<typeof buildEvalSet>>): Promise<void> {
  const originals = await Promise.all(set.duplicates.map(async (d) => (await pdqFromFile(d.original, MAX_PIXELS)).hash));
  const positives: number[] = [];
  const negatives: number[] = [];
  const byVariant: Record<string, number[]> = {};
  for (const [i, d] of set.duplicates.entries()) {
    for (const c of d.copies) {
      const h = (await pdqFromFile(c.path, MAX_PIXELS)).hash;
      positives.push(pdqDistance(h, originals[i]!));
      (byVariant[c.variant] ??= []).push(pdqDistance(h, originals[i]!));
      originals.forEach((o, j) => j !== i && negatives.push(pdqDistance(h, o)));
    }
  }
  for (let i = 0; i < originals.length; i++) for (let j = i + 1; j < originals.length; j++) negatives.push(pdqDistance(originals[i]!, originals[j]!));
  const rate = (xs: number[], t: number) => xs.filter((d) => d <= t).length / xs.length;
  console.log(`\nNear-duplicates (PDQ): ${positives.length} copy pairs, ${negatives.length} pairs of different images`);
  report(`near-duplicate recall at PDQ <= ${PDQ_MATCH_DISTANCE}`, pct(rate(positives, PDQ_MATCH_DISTANCE)));
  report(`false-positive rate at PDQ <= ${PDQ_MATCH_DISTANCE}`, pct(rate(negatives, PDQ_MATCH_DISTANCE)));
  for (const [v, ds] of Object.entries(byVariant)) report(`near-duplicate recall at PDQ <= ${PDQ_MATCH_DISTANCE}, ${v}`, pct(rate(ds, PDQ_MATCH_DISTANCE)));
  let t = 0;
  while (t < 128 && rate(negatives, t + 1) <= 0.01) t++;
  report(`near-duplicate recall at FPR <= 1% (PDQ <= ${t})`, pct(rate(positives, t)));
}

async function main(): Promise<void> {
  const started = Date.now();
  const set = await buildEvalSet(join(projectRoot(), 'bench', 'out', 'eval-set'));
  console.log(`evaluation set: ${set.dir} (ground truth in ground-truth.json)`);
  const engine = await LocalEngine.create(loadConfig());
  const detector = await CenterNetDetector.create();
  await ocr(set);
  await detection(set, detector);
  await scenes(set, engine);
  await engine.close();
  await nearDuplicates(set);
  console.log(`\n${rows.length} figures in ${((Date.now() - started) / 1000).toFixed(0)} s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

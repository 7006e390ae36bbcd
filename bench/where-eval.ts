import { join } from 'node:path';
import exifr from 'exifr';
import { lineClue } from '../activities/read-text';
import { loadConfig } from '../core/config';
import { projectRoot } from '../core/project-root';
import { uniqueTokens } from '../core/tokens';
import { LocalEngine } from '../engine/local-engine';
import { exifClues, readExif } from '../models/exif-reader';
import { readExifTime, whereAndWhen, type WhereClue, type WhereResult } from '../where';
import { buildWhereEvalSet, type WhereEvalImage } from './where-eval-set';

// `npm run eval:where [-- --json] [-- --no-ocr]`: where and when on the evaluation set
// (bench/where-eval-set.ts), twice: from the true text drawn (what a perfect reader would give)
// and end to end from what the pipeline's OCR reads (LocalEngine.text, PP-OCRv4 + tesseract
// today). EXIF is read by the pipeline's reader plus the offset and GPS time it does not keep yet
// (where/camera-time.ts readExifTime). The last line with --json is one JSON object.

const TARGETS = { top1: 0.8, top3: 0.95, when: 0.95 };

interface Outcome {
  item: WhereEvalImage;
  result: WhereResult;
  ms: number;
}

interface Figures {
  top1: number;
  top3: number;
  whenContains: number;
  noEvidenceCorrect: number;
  medianWindowDays: number;
  located: number;
  timed: number;
  misses: string[];
}

async function exifOf(path: string): Promise<{ exif: Record<string, unknown>; clues: WhereClue[] }> {
  const summary = await readExif(path);
  const raw = ((await exifr.parse(path, { tiff: true, exif: true, gps: true, reviveValues: true }).catch(() => undefined)) ?? {}) as Record<string, unknown>;
  // What models/exif-reader.ts will keep once the lead adds the two fields (see docs/where.md).
  const exif = { ...summary, ...readExifTime(raw) } as Record<string, unknown>;
  return { exif, clues: exifClues(summary).map((c, i) => ({ ...c, id: `m${i}` })) };
}

function figures(outcomes: Outcome[]): Figures {
  const located = outcomes.filter((o) => o.item.country);
  const none = outcomes.filter((o) => !o.item.country);
  const timed = outcomes.filter((o) => o.item.time);
  const misses: string[] = [];
  let top1 = 0;
  let top3 = 0;
  for (const o of located) {
    const ranked = o.result.countries.map((c) => c.country);
    if (ranked[0] === o.item.country) top1++;
    else misses.push(`${o.item.id}: ${o.item.country} ranked ${ranked.indexOf(o.item.country!) + 1 || '-'}, first ${ranked[0] ?? 'no evidence'}`);
    if (ranked.slice(0, 3).includes(o.item.country!)) top3++;
  }
  let contains = 0;
  const widths: number[] = [];
  for (const o of timed) {
    const t = Date.parse(o.item.time!);
    const w = o.result.time?.window;
    if (w && Date.parse(w.from) <= t && t <= Date.parse(w.to)) contains++;
    else misses.push(`${o.item.id}: time ${o.item.time} ${w ? `outside ${w.from} .. ${w.to}` : 'not found'}`);
    if (o.result.time) widths.push(o.result.time.days);
  }
  const noEvidence = none.filter((o) => o.result.noEvidence && o.result.countries.length === 0).length;
  for (const o of none) if (!o.result.noEvidence) misses.push(`${o.item.id}: should say no evidence, says ${o.result.countries[0]?.country}`);
  widths.sort((a, b) => a - b);
  return {
    top1: top1 / located.length,
    top3: top3 / located.length,
    whenContains: contains / timed.length,
    noEvidenceCorrect: none.length ? noEvidence / none.length : 1,
    medianWindowDays: widths.length ? widths[Math.floor(widths.length / 2)]! : 0,
    located: located.length,
    timed: timed.length,
    misses,
  };
}

function print(title: string, f: Figures): void {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`\n${title}`);
  console.log(`  country top-1        ${pct(f.top1).padStart(7)}  of ${f.located}   target >= ${pct(TARGETS.top1)}`);
  console.log(`  country top-3        ${pct(f.top3).padStart(7)}  of ${f.located}   target >= ${pct(TARGETS.top3)}`);
  console.log(`  time window contains ${pct(f.whenContains).padStart(7)}  of ${f.timed}   target >= ${pct(TARGETS.when)}   (median width ${f.medianWindowDays} days)`);
  console.log(`  "no evidence" right  ${pct(f.noEvidenceCorrect).padStart(7)}`);
  for (const m of f.misses) console.log(`    miss: ${m}`);
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const withOcr = !process.argv.includes('--no-ocr');
  const dir = join(projectRoot(), 'bench', 'out', 'where-eval');
  const { images, skipped } = await buildWhereEvalSet(dir);
  console.log(`${images.length} images in ${dir}${skipped.length ? `; skipped ${skipped.length}: ${skipped.join('; ')}` : ''}`);

  const truth: Outcome[] = [];
  const ocr: Outcome[] = [];
  const now = new Date();
  let engine: LocalEngine | undefined;
  if (withOcr) {
    engine = await LocalEngine.create(loadConfig());
  }
  let ocrMs = 0;
  for (const item of images) {
    const { exif, clues: metadata } = await exifOf(item.path);
    const trueText: WhereClue[] = item.lines.map((l, i) => ({ type: 'text', value: l, tokens: uniqueTokens(l), id: `t${i}` }));
    let t = performance.now();
    truth.push({ item, result: await whereAndWhen({ clues: [...trueText, ...metadata], exif, now }), ms: performance.now() - t });
    if (engine) {
      t = performance.now();
      const read = await engine.text({ path: item.path });
      ocrMs += performance.now() - t;
      const ocrText: WhereClue[] = read.lines.map((l, i) => ({ ...lineClue(l), id: `o${i}` }));
      t = performance.now();
      ocr.push({ item, result: await whereAndWhen({ clues: [...ocrText, ...metadata], exif, now }), ms: performance.now() - t });
      if (process.env.WHERE_EVAL_VERBOSE) console.log(`${item.id}: ${read.lines.map((l) => l.text).join(' | ')} -> ${ocr.at(-1)!.result.countries.slice(0, 3).map((c) => `${c.country} ${c.score}`).join(', ')}`);
    }
  }
  await engine?.close();

  const fromTruth = figures(truth);
  print('From the true text', fromTruth);
  const fromOcr = engine ? figures(ocr) : undefined;
  if (fromOcr) print(`From the OCR's reading (${engine!.models.text.flatMap((m) => (m.ok ? [`${m.model.name} ${m.model.version}`] : [])).join(' + ')})`, fromOcr);
  // The first call loads the language identifier (~1 s): the stage's cost is the rest.
  const times = [...truth, ...ocr].slice(1).map((o) => o.ms).sort((a, b) => a - b);
  const msPerImage = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(`\nwhere stage: ${msPerImage.toFixed(1)} ms per image on average (p95 ${times[Math.floor(times.length * 0.95)]!.toFixed(1)} ms), first call ${(truth[0]?.ms ?? 0).toFixed(0)} ms (loads the language identifier)${engine ? `; OCR ${(ocrMs / images.length).toFixed(0)} ms per image` : ''}`);
  const head = fromOcr ?? fromTruth;
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  if (json) {
    console.log(JSON.stringify({
      images: images.length,
      where_top1: r3(head.top1),
      where_top3: r3(head.top3),
      when_contains: r3(head.whenContains),
      no_evidence_correct: r3(head.noEvidenceCorrect),
      measured_from: fromOcr ? 'ocr' : 'true text',
      where_top1_true_text: r3(fromTruth.top1),
      where_top3_true_text: r3(fromTruth.top3),
      when_contains_true_text: r3(fromTruth.whenContains),
      where_ms_per_image: r3(msPerImage),
    }));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

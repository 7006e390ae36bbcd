import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Box } from '../core/clues';
import { projectRoot } from '../core/project-root';
import { ExactVectorIndex, euclidean } from '../core/vector-index';
import type { ImageEngine } from '../engine/image-engine';
import { alignedChip, CHIP_SIDE } from '../models/face-align';
import { FaceDescriber } from '../models/face-describer';
import { FaceResDescriber } from '../models/faceres-describer';
import type { DescribedFace } from '../models/face-descriptors';
import { describeFaces } from '../models/face-descriptors';
import { decodeRgb } from '../models/image-loader';
import { iou } from '../models/nms';
import {
  assignFace,
  FACE_GROUP_MEAN_DISTANCE,
  FACE_MATCH_DISTANCE,
  pairwiseScores,
} from '../usecases/face-grouping';

// Faces as identities (issue 23): descriptors of the same person against different people, the
// grouping's pairwise precision and recall, the port against dlib, and the time the descriptor
// adds. Identity photos: PyPI face_recognition 1.3.0's test photos (Obama three times, Biden) and
// the group photos of npm @vladmandic/face-api 1.7.15's demo (each face a person of its own),
// with NASA's astronaut portrait; each face also in augmented views. Identities alternate between
// a `tune` half (where thresholds are chosen) and a `report` half (which no threshold saw); every
// photo holds adults (docs/models.md says what that means for children's faces).

const ROOT = projectRoot();
const SOURCES = join(ROOT, 'eval', 'source', 'faces');
/** dlib's descriptors of the original photos' chips (scripts/dev/face-reference.sh). */
const REFERENCE = join(ROOT, 'eval', 'face-reference.json');
/** Photos whose faces are all one person; in every other photo each face is a person. */
const SAME_PERSON: Record<string, string> = {
  'obama.jpg': 'obama',
  'obama2.jpg': 'obama',
  'obama3.jpg': 'obama',
  'biden.jpg': 'biden',
};
/**
 * Faces of the demo's group photos that are one person: the descriptor put them 0.38 apart (its
 * nearest pair of "different" people) and, looked at, they are the same woman.
 */
const SAME_FACE: Record<string, string> = { 'face-api-sample3.jpg#0': 'face-api-sample1.jpg#2' };
const truthOf = (base: string, i: number) => SAME_PERSON[base] ?? SAME_FACE[`${base}#${i}`] ?? `${base}#${i}`;
/** Obama is the one person in several photos: he is kept for the report half. */
const REPORT_FIRST = new Set(['obama']);
const FAR = 1e-3;

export interface FaceEvalResult {
  face_tar_at_far_1e3: number | null;
  face_pairs: { genuine: number; impostor: number };
  face_false_matches: number;
  face_cluster_precision: number | null;
  face_cluster_recall: number | null;
  /** The same over every view, those the gate or detector kept out counted as alone. */
  face_cluster_recall_all_views: number | null;
  face_reference_max_distance: number | null;
  faces_ms_per_image: number | null;
  faces_describe_ms_per_image: number | null;
}

interface View {
  truth: string;
  half: 'tune' | 'report';
  name: string;
  variant: string;
  face?: DescribedFace;
  /** The image the face was found in. */
  path: string;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length
    ? s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
    : NaN;
};
const report = (metric: string, value: string, target = '') =>
  console.log(`${metric.padEnd(56)} ${value.padStart(10)}  ${target}`);

function sourcePhotos(): string[] {
  return [
    ...readdirSync(SOURCES)
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort()
      .map((f) => join(SOURCES, f)),
    join(ROOT, 'samples', 'astronaut.png'),
  ];
}

/**
 * The augmented views of one face: a crop around it (3x its box, at most 480 px), changed as
 * seized photos are, each with where the face is in it.
 */
async function views(file: string, box: Box): Promise<{ variant: string; jpeg: Buffer; at: Box }[]> {
  const meta = await sharp(file).rotate().metadata();
  const W = (meta.orientation ?? 1) >= 5 ? meta.height! : meta.width!;
  const H = (meta.orientation ?? 1) >= 5 ? meta.width! : meta.height!;
  const left = Math.max(0, Math.round(box.x - box.w)),
    top = Math.max(0, Math.round(box.y - box.h));
  const width = Math.min(W - left, Math.round(box.w * 3)),
    height = Math.min(H - top, Math.round(box.h * 3));
  const fit = Math.min(1, 480 / Math.max(width, height));
  const bw = Math.round(width * fit),
    bh = Math.round(height * fit);
  const base = await sharp(file)
    .rotate()
    .removeAlpha()
    .extract({ left, top, width, height })
    .resize(bw, bh)
    .toBuffer();
  const at: Box = { x: (box.x - left) * fit, y: (box.y - top) * fit, w: box.w * fit, h: box.h * fit };
  const scaled = (k: number, kx = k): Box => ({ x: at.x * kx, y: at.y * k, w: at.w * kx, h: at.h * k });
  const mirrored = (b: Box, width: number): Box => ({ ...b, x: width - b.x - b.w });
  const jpeg = (s: sharp.Sharp, q = 90) => s.jpeg({ quality: q }).toBuffer();
  const occluder = await sharp({
    create: {
      width: Math.round(at.w * 1.1),
      height: Math.round(at.h * 0.4),
      channels: 3,
      background: { r: 90, g: 90, b: 95 },
    },
  })
    .png()
    .toBuffer();
  const small = 40 / at.w;
  // A turn of about 30 degrees foreshortens the face to cos(30) of its width: approximated by
  // squeezing the crop to 0.8 of its width, one way and mirrored.
  const squeezed = await sharp(base)
    .resize(Math.round(bw * 0.8), bh, { fit: 'fill' })
    .toBuffer();
  return [
    { variant: 'crop', jpeg: await jpeg(sharp(base)), at },
    {
      variant: 'down to 40 px',
      jpeg: await jpeg(sharp(base).resize(Math.round(bw * small), Math.round(bh * small), { fit: 'fill' })),
      at: scaled(small),
    },
    { variant: 'blur', jpeg: await jpeg(sharp(base).blur(Math.max(0.5, at.w / 80))), at },
    { variant: 'JPEG 30', jpeg: await jpeg(sharp(base), 30), at },
    { variant: 'dark', jpeg: await jpeg(sharp(base).linear(0.45, 0)), at },
    { variant: 'bright', jpeg: await jpeg(sharp(base).linear(1.5, 30)), at },
    { variant: 'mirrored', jpeg: await jpeg(sharp(base).flop()), at: mirrored(at, bw) },
    { variant: 'yaw 30 (squeezed)', jpeg: await jpeg(sharp(squeezed)), at: scaled(1, 0.8) },
    {
      variant: 'yaw -30 (squeezed, mirrored)',
      jpeg: await jpeg(sharp(squeezed).flop()),
      at: mirrored(scaled(1, 0.8), Math.round(bw * 0.8)),
    },
    {
      variant: 'lower face covered',
      jpeg: await jpeg(
        sharp(base).composite([
          {
            input: occluder,
            left: Math.max(0, Math.round(at.x - at.w * 0.05)),
            top: Math.min(bh - Math.round(at.h * 0.4), Math.round(at.y + at.h * 0.6)),
          },
        ]),
      ),
      at,
    },
  ];
}

/** The face nearest where it was put (largest overlap, else the largest face). */
function sameFace(found: DescribedFace[], expected: Box): DescribedFace | undefined {
  const scored = found.map((f) => ({ f, o: iou(f.box, expected) })).sort((a, b) => b.o - a.o);
  return scored[0] && scored[0].o >= 0.2 ? scored[0].f : undefined;
}

/** The chips the reference is computed on: each original photo's matchable faces. */
export async function referenceChips(engine: ImageEngine): Promise<{ name: string; chip: Uint8Array }[]> {
  const out = [];
  for (const file of sourcePhotos()) {
    const image = await decodeRgb(file, 1e8);
    const { faces } = await engine.faces({ path: file });
    for (const [i, f] of faces.entries()) {
      if (!f.quality.ok || !f.landmarks) continue;
      out.push({
        name: `${file
          .split('/')
          .pop()!
          .replace(/\.\w+$/, '')}-${i}`,
        chip: await alignedChip(image, f.landmarks),
      });
    }
  }
  return out;
}

const chipSha = (chip: Uint8Array) => createHash('sha256').update(chip).digest('hex');

/** Writes the chips as PNGs and their hashes, for scripts/dev/face-reference.sh. */
export async function writeReferenceChips(engine: ImageEngine, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const hashes: Record<string, string> = {};
  for (const { name, chip } of await referenceChips(engine)) {
    await sharp(Buffer.from(chip), { raw: { width: CHIP_SIDE, height: CHIP_SIDE, channels: 3 } })
      .png()
      .toFile(join(dir, `${name}.png`));
    hashes[name] = chipSha(chip);
  }
  writeFileSync(join(dir, 'chips.json'), JSON.stringify(hashes, null, 1));
}

async function referenceDistance(engine: ImageEngine, describer: FaceDescriber): Promise<number | null> {
  if (!existsSync(REFERENCE)) {
    report('port against dlib (max distance)', 'no reference', 'run scripts/dev/face-reference.sh');
    return null;
  }
  const ref = JSON.parse(readFileSync(REFERENCE, 'utf8')) as {
    dlib: string;
    chips: Record<string, { sha256: string; descriptor: number[] }>;
  };
  const distances: number[] = [];
  let stale = 0;
  for (const { name, chip } of await referenceChips(engine)) {
    const r = ref.chips[name];
    if (!r || r.sha256 !== chipSha(chip)) {
      stale++;
      continue;
    }
    distances.push(euclidean(await describer.describe(chip), r.descriptor));
  }
  if (stale)
    console.log(
      `  ${stale} chip(s) differ from those dlib described: run scripts/dev/face-reference.sh again`,
    );
  if (!distances.length) return null;
  report(
    `port against dlib ${ref.dlib}, ${distances.length} faces: median distance`,
    median(distances).toFixed(4),
  );
  report(
    'port against dlib: max distance',
    Math.max(...distances).toFixed(4),
    `well below ${FACE_MATCH_DISTANCE}`,
  );
  return Math.round(Math.max(...distances) * 1e4) / 1e4;
}

function verification(views: View[], label: string) {
  const described = views.filter((v) => v.face?.descriptor);
  const genuine: number[] = [];
  const impostor: number[] = [];
  const worst: { d: number; a: string; b: string }[] = [];
  for (let i = 0; i < described.length; i++) {
    for (let j = i + 1; j < described.length; j++) {
      const a = described[i]!,
        b = described[j]!;
      const d = euclidean(a.face!.descriptor!, b.face!.descriptor!);
      if (a.truth === b.truth) genuine.push(d);
      else {
        impostor.push(d);
        worst.push({ d, a: a.name, b: b.name });
      }
    }
  }
  impostor.sort((x, y) => x - y);
  // The threshold letting through FAR of the impostor pairs (none when there are too few).
  const allowed = Math.floor(impostor.length * FAR);
  const atFar = impostor[allowed] ?? Infinity;
  const tar = genuine.filter((d) => d < atFar).length / (genuine.length || 1);
  const falseMatches = impostor.filter((d) => d <= FACE_MATCH_DISTANCE).length;
  const trueMatches = genuine.filter((d) => d <= FACE_MATCH_DISTANCE).length;
  console.log(
    `  ${label}: ${described.length} described faces, ${genuine.length} same-person pairs, ${impostor.length} different-people pairs`,
  );
  report(`  ${label}: TAR at FAR 1e-3 (threshold ${atFar.toFixed(3)})`, `${(100 * tar).toFixed(1)}%`);
  report(
    `  ${label}: same person matched at ${FACE_MATCH_DISTANCE}`,
    `${((100 * trueMatches) / (genuine.length || 1)).toFixed(1)}%`,
  );
  report(`  ${label}: different people matched at ${FACE_MATCH_DISTANCE}`, String(falseMatches), 'target 0');
  report(`  ${label}: nearest different people`, impostor[0]?.toFixed(3) ?? '-');
  console.log(
    `    nearest different people: ${worst
      .sort((x, y) => x.d - y.d)
      .slice(0, falseMatches ? 5 : 2)
      .map((w) => `${w.a} ~ ${w.b} ${w.d.toFixed(3)}`)
      .join('; ')}`,
  );
  return {
    tar,
    genuine: genuine.length,
    impostor: impostor.length,
    falseMatches,
    nearestImpostor: impostor[0] ?? Infinity,
  };
}

async function clustering(views: View[], label: string) {
  const described = views.filter((v) => v.face?.descriptor);
  // A fixed interleaved order: faces arrive mixed, as a case's images do.
  const order = described
    .map((v, i) => ({ v, k: createHash('md5').update(v.name).digest('hex') + i }))
    .sort((a, b) => a.k.localeCompare(b.k))
    .map((x) => x.v);
  const index = new ExactVectorIndex();
  const people = new Map<string, string>();
  let n = 0;
  for (const v of order) {
    await index.add(v.name, v.face!.descriptor!);
    const a = await assignFace(
      { id: v.name, image: v.name, descriptor: v.face!.descriptor! },
      index,
      async (ids) =>
        new Map(
          ids.map((id) => [id, { id, image: id, ...(people.has(id) ? { person: people.get(id)! } : {}) }]),
        ),
      () => `P${++n}`,
    );
    people.set(v.name, a.person);
  }
  const s = pairwiseScores(order.map((v) => ({ person: people.get(v.name)!, truth: v.truth })));
  // Faces the gate or the detector kept out count as groups of their own: recall over every view.
  const every = pairwiseScores(
    views.map((v) => ({ person: people.get(v.name) ?? `alone:${v.name}`, truth: v.truth })),
  );
  report(`  ${label}: grouping pairwise precision`, `${(100 * s.precision).toFixed(1)}%`, 'target >= 98%');
  report(`  ${label}: grouping pairwise recall`, `${(100 * s.recall).toFixed(1)}%`, 'target >= 85%');
  console.log(
    `    ${new Set(people.values()).size} groups for ${new Set(order.map((v) => v.truth)).size} people; pairs: ${s.pairs.both} right of ${s.pairs.predicted} put together, ${s.pairs.true} true`,
  );
  report(
    `  ${label}: recall counting the ${views.length - described.length} views kept out as alone`,
    `${(100 * every.recall).toFixed(1)}%`,
  );
  return { ...s, recallAll: every.recall };
}

/**
 * `--face-gate`: on the tune half, what each sharpness floor would let through: the gate's
 * other checks held, every face described whatever its sharpness, and the grouping's threshold.
 */
async function tuneGate(all: View[], describer: FaceDescriber): Promise<void> {
  const tune = all.filter((v) => v.half === 'tune' && v.face?.landmarks);
  const described = new Map<View, Float32Array>();
  for (const v of tune) {
    const otherReasons = v.face!.quality.reasons.filter((r) => !r.startsWith('blurred'));
    if (!otherReasons.length)
      described.set(
        v,
        await describer.describe(await alignedChip(await decodeRgb(v.path, 1e8), v.face!.landmarks!)),
      );
  }
  console.log(
    '\n  tune half: sharpness floor, faces let through, different people within 0.45, same person within 0.45',
  );
  for (const floor of [0, 1, 1.5, 2, 2.5, 3, 4, 5]) {
    const vs = [...described.keys()].filter((v) => v.face!.quality.sharpness >= floor);
    let imp = 0,
      gen = 0,
      genAll = 0;
    for (let a = 0; a < vs.length; a++) {
      for (let b = a + 1; b < vs.length; b++) {
        const d = euclidean(described.get(vs[a]!)!, described.get(vs[b]!)!);
        if (vs[a]!.truth === vs[b]!.truth) {
          genAll++;
          if (d <= FACE_MATCH_DISTANCE) gen++;
        } else if (d <= FACE_MATCH_DISTANCE) imp++;
      }
    }
    console.log(
      `    ${String(floor).padStart(4)}  ${String(vs.length).padStart(4)}  ${String(imp).padStart(4)}  ${gen}/${genAll}`,
    );
  }
}

/**
 * `--face-models`: dlib's descriptor (the ONNX port) against HSE FaceRes (@vladmandic/human) on
 * the same aligned chips of the same faces (those dlib's gate passed), each thresholded on the
 * tune half at its nearest different people, then read on the report half.
 */
async function compareModels(all: View[], dlib: FaceDescriber): Promise<void> {
  const faceres = await FaceResDescriber.create();
  const chips = new Map<View, Uint8Array>();
  for (const v of all) {
    if (!v.face?.descriptor || !v.face.landmarks) continue;
    chips.set(v, await alignedChip(await decodeRgb(v.path, 1e8), v.face.landmarks));
  }
  console.log(`\n  descriptor models on the same ${chips.size} aligned faces:`);
  for (const [name, describe] of [
    ['dlib ResNet (face-api port, ONNX)', (c: Uint8Array) => dlib.describe(c)],
    ['HSE FaceRes (human, tfjs-wasm)', (c: Uint8Array) => faceres.describe(c)],
  ] as const) {
    const vecs = new Map<View, Float32Array>();
    const t0 = performance.now();
    for (const [v, c] of chips) vecs.set(v, await describe(c));
    const ms = (performance.now() - t0) / chips.size;
    const pairs = (half: View['half']) => {
      const vs = [...vecs.keys()].filter((v) => v.half === half);
      const g: number[] = [],
        i: number[] = [];
      for (let a = 0; a < vs.length; a++)
        for (let b = a + 1; b < vs.length; b++)
          (vs[a]!.truth === vs[b]!.truth ? g : i).push(euclidean(vecs.get(vs[a]!)!, vecs.get(vs[b]!)!));
      return { g, i: i.sort((x, y) => x - y) };
    };
    const tune = pairs('tune');
    const threshold = tune.i[0]! * 0.95;
    const rep = pairs('report');
    const tarAtFar = (p: { g: number[]; i: number[] }) =>
      p.g.filter((d) => d < p.i[Math.floor(p.i.length * FAR)]!).length / p.g.length;
    report(`  ${name}: report TAR at FAR 1e-3`, `${(100 * tarAtFar(rep)).toFixed(1)}%`);
    report(
      `  ${name}: report matched / different matched at ${threshold.toFixed(3)} (tune)`,
      `${((100 * rep.g.filter((d) => d <= threshold).length) / rep.g.length).toFixed(1)}% / ${rep.i.filter((d) => d <= threshold).length}`,
    );
    report(`  ${name}: ms per face`, ms.toFixed(1));
  }
  faceres.close();
}

/**
 * The faces part of `npm run eval`: `dir` for the augmented views, `timing` the photos whose
 * faces op is timed (the eval set's face photos, with faces and without).
 */
export async function evaluateFaces(
  engine: ImageEngine,
  dir: string,
  timing: string[],
): Promise<FaceEvalResult> {
  const none: FaceEvalResult = {
    face_tar_at_far_1e3: null,
    face_pairs: { genuine: 0, impostor: 0 },
    face_false_matches: 0,
    face_cluster_precision: null,
    face_cluster_recall: null,
    face_cluster_recall_all_views: null,
    face_reference_max_distance: null,
    faces_ms_per_image: null,
    faces_describe_ms_per_image: null,
  };
  console.log('\nFaces as identities (descriptors, grouping, the port against dlib)');
  if (!engine.models.faces.ok || !engine.models.faceDescriber.ok) {
    report(
      'face descriptors',
      'no model',
      engine.models.faceDescriber.ok ? '' : engine.models.faceDescriber.reason,
    );
    return none;
  }
  const describer = await FaceDescriber.create();
  try {
    mkdirSync(join(dir, 'faces'), { recursive: true });
    const all: View[] = [];
    const identities: string[] = [];
    const lost: Record<string, number> = {};
    const gated: Record<string, number> = {};
    const perPhoto: { file: string; faces: DescribedFace[] }[] = [];
    for (const file of sourcePhotos())
      perPhoto.push({ file, faces: (await engine.faces({ path: file })).faces });
    for (const { file, faces } of perPhoto) {
      const base = file.split('/').pop()!;
      for (const [i, f] of faces.entries()) if (f.quality.ok) identities.push(truthOf(base, i));
    }
    const names = [...new Set(identities)].sort();
    const tuneOrder = names.filter((n) => !REPORT_FIRST.has(n));
    const half = (truth: string): View['half'] =>
      REPORT_FIRST.has(truth) || tuneOrder.indexOf(truth) % 2 === 1 ? 'report' : 'tune';
    for (const { file, faces } of perPhoto) {
      const base = file.split('/').pop()!;
      for (const [i, f] of faces.entries()) {
        if (!f.quality.ok) continue; // the original must be matchable to be a reference
        const truth = truthOf(base, i);
        all.push({
          truth,
          half: half(truth),
          name: `${base}#${i}`,
          variant: 'original',
          face: f,
          path: file,
        });
        for (const v of await views(file, f.box)) {
          const path = join(dir, 'faces', `${base}-${i}-${v.variant.replace(/\W+/g, '-')}.jpg`);
          writeFileSync(path, v.jpeg);
          const found = (await engine.faces({ path })).faces;
          const face = sameFace(found, v.at);
          if (!face) lost[v.variant] = (lost[v.variant] ?? 0) + 1;
          else if (!face.descriptor) gated[v.variant] = (gated[v.variant] ?? 0) + 1;
          all.push({
            truth,
            half: half(truth),
            name: `${base}#${i}/${v.variant}`,
            variant: v.variant,
            path,
            ...(face ? { face } : {}),
          });
        }
      }
    }
    const people = new Set(all.map((v) => v.truth));
    console.log(
      `  ${perPhoto.length} photos, ${people.size} people (${[...people].filter((p) => all.filter((v) => v.truth === p && v.variant === 'original').length > 1).length} in more than one photo), ${all.length} faces with their views; every one an adult`,
    );
    if (Object.keys(lost).length)
      console.log(
        `  views where the detector lost the face: ${Object.entries(lost)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    if (Object.keys(gated).length)
      console.log(
        `  views kept out of matching by the quality gate: ${Object.entries(gated)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    // Each view's quality measures, to set the gate on the tune half.
    writeFileSync(
      join(dir, 'faces', 'quality.json'),
      JSON.stringify(
        all.map((v) => ({
          half: v.half,
          variant: v.variant,
          name: v.name,
          ...(v.face ? { quality: v.face.quality } : {}),
        })),
        null,
        1,
      ),
    );
    const tune = all.filter((v) => v.half === 'tune');
    const rep = all.filter((v) => v.half === 'report');
    const tuned = verification(tune, 'tune');
    const suggestion = Math.floor(Math.min(tuned.nearestImpostor * 0.85, 0.6) * 100) / 100;
    console.log(
      `  tune: thresholds in use ${FACE_MATCH_DISTANCE} (nearest) / ${FACE_GROUP_MEAN_DISTANCE} (mean); 0.85 x the nearest different people here is ${suggestion}`,
    );
    await clustering(tune, 'tune');
    const verified = verification(rep, 'report');
    const grouped = await clustering(rep, 'report');
    const bothHalves = verification(all, 'both halves');

    const reference = await referenceDistance(engine, describer);
    if (process.argv.includes('--face-models')) await compareModels(all, describer);
    if (process.argv.includes('--face-gate')) await tuneGate(all, describer);

    // Time: the faces op per photo, and what describing adds (align, gate, describe) on its faces.
    const total: number[] = [];
    const added: number[] = [];
    const perFace: number[] = [];
    for (const path of timing) {
      const t0 = performance.now();
      const { faces } = await engine.faces({ path });
      total.push(performance.now() - t0);
      const image = await decodeRgb(path, 1e8);
      const t1 = performance.now();
      await describeFaces(describer, { ...image, scale: 1 }, faces);
      added.push(performance.now() - t1);
      if (faces.length) perFace.push((performance.now() - t1) / faces.length);
    }
    report(`faces op per image, median of ${timing.length}`, `${median(total).toFixed(0)} ms`);
    report(
      '  of which aligning, gating and describing faces',
      `${median(added).toFixed(1)} ms`,
      'target <= 60 ms',
    );
    report(
      `  the same per face (${perFace.length} photos with faces), median`,
      `${median(perFace).toFixed(1)} ms`,
    );
    // The identity photos: 1 to 5 sharp faces each, the costliest case for describing.
    const withFaces: number[] = [];
    for (const { file, faces } of perPhoto) {
      const image = await decodeRgb(file, 1e8);
      const t1 = performance.now();
      await describeFaces(describer, { ...image, scale: 1 }, faces);
      withFaces.push(performance.now() - t1);
    }
    report(
      `  on the ${perPhoto.length} identity photos (1-5 faces each), median`,
      `${median(withFaces).toFixed(1)} ms`,
    );
    return {
      face_tar_at_far_1e3: round(verified.tar),
      face_pairs: { genuine: verified.genuine, impostor: verified.impostor },
      face_false_matches: bothHalves.falseMatches,
      face_cluster_precision: round(grouped.precision),
      face_cluster_recall: round(grouped.recall),
      face_cluster_recall_all_views: round(grouped.recallAll),
      face_reference_max_distance: reference,
      faces_ms_per_image: Math.round(median(total)),
      faces_describe_ms_per_image: round(median(added)),
    };
  } finally {
    await describer.close();
  }
}

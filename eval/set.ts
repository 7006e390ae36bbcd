import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Box } from '../core/clues';
import { projectRoot } from '../core/project-root';

// The evaluation set: benign public photos (samples/, eval/source/) and images derived from them
// with known answers. Deterministic (seeded), so every run measures the same thing. The ground
// truth is written next to the images as ground-truth.json.

const ROOT = projectRoot();
type SharpImage = ReturnType<typeof sharp>;
/** A photo of the eval's sources: `eval:<name>` in eval/source/, else samples/. */
export const src = (name: string) => (name.startsWith('eval:') ? join(ROOT, 'eval', 'source', name.slice(5)) : join(ROOT, 'samples', name));

/** Real photos used as scenes and backgrounds. */
export const PHOTOS = [
  'astronaut.png', 'camera.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'motorcycle_left.png',
  'eval:brick.png', 'eval:grass.png', 'eval:gravel.png', 'eval:coins.png', 'eval:clock_motion.png', 'eval:hubble_deep_field.jpg',
];

/** Hand-drawn boxes of objects in the samples (pixels), checked on a grid overlay. */
export const OBJECTS: { image: string; label: string; box: Box }[] = [
  { image: 'coffee.png', label: 'cup', box: { x: 172, y: 18, w: 240, h: 285 } },
  { image: 'coffee.png', label: 'spoon', box: { x: 325, y: 65, w: 100, h: 260 } },
  { image: 'motorcycle_left.png', label: 'motorcycle', box: { x: 92, y: 88, w: 592, h: 362 } },
  { image: 'chelsea.png', label: 'cat', box: { x: 0, y: 0, w: 400, h: 300 } },
  { image: 'astronaut.png', label: 'person', box: { x: 18, y: 15, w: 350, h: 497 } },
];

/** Two words with diacritics on each sign. */
export const ACCENTED: string[][] = [
  ['CAFÉ', 'PÂTISSERIE'], ['MÜNCHEN', 'BÄCKEREI'], ['ŻABKA', 'ŚWIĘTY'], ['NIÑOS', 'PEÑA'],
  ['GÖTEBORG', 'HÔTEL'], ['ZŁOTY', 'GDAŃSK'], ['ÉCOLE', 'CRÈCHE'], ['PIEKARNIA', 'ŁÓDŹ'],
];

/** Objects in the real photos of eval/source, boxed by hand. */
export const REAL_OBJECTS: { image: string; objects: { label: string; box: Box }[]; ignore?: Box[] }[] = [
  { image: 'eval:messi5.jpg', objects: [{ label: 'person', box: { x: 68, y: 60, w: 392, h: 277 } }, { label: 'sports ball', box: { x: 337, y: 289, w: 51, h: 48 } }], ignore: [{ x: 0, y: 0, w: 548, h: 250 }] },
  { image: 'eval:basketball1.png', objects: [{ label: 'person', box: { x: 30, y: 80, w: 130, h: 400 } }, { label: 'person', box: { x: 430, y: 20, w: 210, h: 460 } }], ignore: [{ x: 95, y: 90, w: 90, h: 90 }, { x: 420, y: 280, w: 80, h: 200 }] },
  { image: 'eval:basketball2.png', objects: [{ label: 'person', box: { x: 30, y: 80, w: 130, h: 400 } }, { label: 'person', box: { x: 430, y: 20, w: 210, h: 460 } }], ignore: [{ x: 60, y: 60, w: 160, h: 160 }, { x: 420, y: 280, w: 80, h: 200 }] },
  { image: 'eval:licenseplate_motion.jpg', objects: [{ label: 'car', box: { x: 0, y: 30, w: 600, h: 380 } }] },
  { image: 'eval:apple.jpg', objects: [{ label: 'apple', box: { x: 30, y: 45, w: 440, h: 455 } }] },
  { image: 'eval:orange.jpg', objects: [{ label: 'orange', box: { x: 20, y: 55, w: 460, h: 445 } }] },
  { image: 'eval:chicky_512.png', objects: [{ label: 'dog', box: { x: 0, y: 15, w: 512, h: 497 } }] },
];

const WORDS = [
  'WIVENHOE', 'BAKERY', 'HOTEL', 'MIRAMAR', 'PHARMACY', 'SCHOOL', 'STATION', 'GARAGE', 'MARKET', 'CAFE',
  'LIBRARY', 'MOTEL', 'HARBOUR', 'BUTCHER', 'FLORIST', 'CINEMA', 'DENTIST', 'LAUNDRY', 'BARBER', 'TAVERN',
  'ROSEWOOD', 'KINGSLEY', 'AVENUE', 'PRIMARY',
];

const idOf = (image: string) => image.replace(/^eval:/, '').replace(/\.\w+$/, '');

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface EvalSet {
  dir: string;
  /** `optional`: legible words that count neither as missed nor as wrong when read. */
  text: { path: string; words: string[]; optional?: string[]; variant: string }[];
  /** `ignore`: things a detector may find or not (a crowd, a half-hidden chair): neither a miss nor a false positive. */
  objects: { path: string; objects: { label: string; box: Box }[]; ignore?: Box[] }[];
  scenes: {
    gallery: { id: string; path: string }[];
    /** `self`: the query is itself in the gallery (a real pair): that hit is left out of its ranking. */
    viewpoints: { path: string; scene: string; variant: string; self?: string }[];
    /** `source`: the photo the crop was cut from; `scene`: the answer (the other photo of a pair, or the source). */
    crops: { path: string; scene: string; source: string; variant: string }[];
  };
  duplicates: { original: string; copies: { path: string; variant: string }[] }[];
  /** Frontal faces (`boxes`) or none (an empty list): face recall and false positives. */
  faces: { path: string; boxes: Box[]; variant: string }[];
  /** The kind of place: indoor or outdoor, and the place type where one of the taxonomy's fits. */
  sceneLabels: { path: string; indoor: boolean; place?: string }[];
}

/** Real pairs: the same scene or object photographed twice (another viewpoint, camera or light). */
export const PAIRS: { a: string; b: string; aAt: [number, number]; bAt: [number, number]; kind: string }[] = [
  { a: 'eval:box.png', b: 'eval:box_in_scene.png', aAt: [0.5, 0.5], bAt: [0.35, 0.64], kind: 'object alone / in a cluttered scene' },
  { a: 'eval:graf1.png', b: 'eval:graf3.png', aAt: [0.5, 0.5], bAt: [0.5, 0.5], kind: 'wall, viewpoint turned ~40 degrees' },
  { a: 'eval:leuvenA.jpg', b: 'eval:leuvenB.jpg', aAt: [0.5, 0.45], bAt: [0.5, 0.45], kind: 'street, exposure changed' },
  { a: 'eval:aero1.jpg', b: 'eval:aero3.jpg', aAt: [0.5, 0.5], bAt: [0.5, 0.5], kind: 'aerial, another viewpoint' },
  { a: 'eval:aloeL.jpg', b: 'eval:aloeR.jpg', aAt: [0.5, 0.5], bAt: [0.5, 0.5], kind: 'stereo pair' },
  { a: 'eval:basketball1.png', b: 'eval:basketball2.png', aAt: [0.3, 0.35], bAt: [0.3, 0.35], kind: 'room, people moved' },
  { a: 'eval:rubberwhale1.png', b: 'eval:rubberwhale2.png', aAt: [0.5, 0.5], bAt: [0.5, 0.5], kind: 'objects, camera moved' },
  { a: 'eval:Blender_Suzanne1.jpg', b: 'eval:Blender_Suzanne2.jpg', aAt: [0.5, 0.5], bAt: [0.5, 0.5], kind: 'rendered object, turned' },
  { a: 'motorcycle_left.png', b: 'eval:motorcycle_right.png', aAt: [0.5, 0.5], bAt: [0.5, 0.5], kind: 'stereo pair' },
];

/** Photos with no human face, used as distractors, backgrounds and face-free controls. */
export const NO_FACE_PHOTOS = [
  'chelsea.png', 'coffee.png', 'rocket.jpg', 'eval:brick.png', 'eval:grass.png', 'eval:gravel.png', 'eval:coins.png', 'eval:hubble_deep_field.jpg',
  'eval:clock_motion.png', 'eval:box.png', 'eval:graf1.png', 'eval:aero1.jpg', 'eval:building.jpg', 'eval:home.jpg', 'eval:fruits.jpg', 'eval:apple.jpg',
  'eval:orange.jpg', 'eval:butterfly.jpg', 'eval:squirrel_cls.jpg', 'eval:board.jpg', 'eval:smarties.png', 'eval:aloeL.jpg', 'eval:chicky_512.png',
  'eval:baboon.jpg', 'eval:leuvenA.jpg', 'eval:Dune.jpg',
];

/** Indoor or outdoor, and the place type where the taxonomy has one (read off the photos by eye). */
export const SCENE_LABELS: { image: string; indoor: boolean; place?: string }[] = [
  { image: 'eval:leuvenA.jpg', indoor: false, place: 'street' },
  { image: 'eval:leuvenB.jpg', indoor: false, place: 'street' },
  { image: 'eval:scenetext01.jpg', indoor: false, place: 'street' },
  { image: 'eval:scenetext05.jpg', indoor: false, place: 'street' },
  { image: 'eval:scenetext06.jpg', indoor: false, place: 'street' },
  { image: 'eval:licenseplate_motion.jpg', indoor: false, place: 'street' },
  { image: 'eval:scenetext03.jpg', indoor: false, place: 'shop' },
  { image: 'eval:Dune.jpg', indoor: false, place: 'beach' },
  { image: 'eval:building.jpg', indoor: false },
  { image: 'eval:home.jpg', indoor: false },
  { image: 'eval:aero1.jpg', indoor: false },
  { image: 'eval:aero3.jpg', indoor: false },
  { image: 'eval:messi5.jpg', indoor: false },
  { image: 'eval:scenetext02.jpg', indoor: false },
  { image: 'eval:scenetext04.jpg', indoor: false },
  { image: 'rocket.jpg', indoor: false },
  { image: 'eval:graf1.png', indoor: false },
  { image: 'camera.png', indoor: false },
  { image: 'eval:basketball1.png', indoor: true },
  { image: 'eval:rubberwhale1.png', indoor: true },
  { image: 'eval:left.jpg', indoor: true },
  { image: 'eval:box_in_scene.png', indoor: true },
  { image: 'coffee.png', indoor: true },
  { image: 'motorcycle_left.png', indoor: true },
  { image: 'eval:aloeL.jpg', indoor: true },
  { image: 'eval:stuff.jpg', indoor: true },
];

/** Real scene text, read off the photos by eye (the OpenCV samples' ICDAR pictures). */
export const SCENE_TEXT: { image: string; words: string; optional?: string }[] = [
  { image: 'eval:scenetext01.jpg', words: 'NOTICE DOUBLE PARKING PROHIBITED AT ALL TIMES', optional: 'The Washington Post' },
  { image: 'eval:scenetext02.jpg', words: 'Sports Centre Wivenhoe Park Conference Centre Car Parks' },
  { image: 'eval:scenetext03.jpg', words: 'the copy centre' },
  { image: 'eval:scenetext04.jpg', words: 'GM 125', optional: 'Cummins' },
  { image: 'eval:scenetext05.jpg', words: 'NO PARKING' },
  { image: 'eval:scenetext06.jpg', words: 'priory galleries at the ship' },
];

/** LFW faces and non-faces (scikit-image's lfw_subset.npy: 100 faces, then 100 patches without one, 25 x 25 grey). */
function lfwPatches(): Buffer[] {
  const buf = readFileSync(src('eval:lfw_subset.npy'));
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const body = buf.subarray(10 + headerLen);
  const n = 25 * 25;
  const value = (i: number) => (descr === '<f8' ? body.readDoubleLE(8 * i) : descr === '|u1' ? body[i]! / 255 : NaN);
  if (descr !== '<f8' && descr !== '|u1') throw new Error(`lfw_subset.npy: unexpected dtype ${descr}`);
  return Array.from({ length: 200 }, (_, k) => Buffer.from(Array.from({ length: n }, (_, i) => Math.round(255 * Math.min(1, Math.max(0, value(k * n + i)))))));
}

interface SignVariant {
  angle: number;
  blur: number;
  quality: number;
  /** Letter height cap in pixels. */
  maxSize?: number;
  /** Horizontal shear, as a sign seen at an angle. */
  shear?: number;
}

async function sign(background: string, words: string[], r: () => number, out: string, variant: SignVariant): Promise<void> {
  const meta = await sharp(src(background)).metadata();
  const W = meta.width!;
  const H = meta.height!;
  const text = words.join(' ');
  // Bold DejaVu capitals run up to ~0.85 em: the sign is sized so no letter is clipped.
  const size = Math.max(14, Math.min(variant.maxSize ?? 56, Math.floor((W * 0.85) / (text.length * 0.85))));
  const w = Math.ceil(text.length * size * 0.85) + 30;
  const h = Math.ceil(size * 1.6);
  const x = Math.floor(r() * Math.max(1, W - w));
  const y = Math.floor(r() * Math.max(1, H - h));
  const palettes = [['#ffffff', '#111111'], ['#1d3f8f', '#ffffff'], ['#f2d024', '#000000'], ['#7a1010', '#fff6e0'], ['#0b5d2a', '#ffffff']];
  const [bg, fg] = palettes[Math.floor(r() * palettes.length)]!;
  const font = r() < 0.5 ? 'DejaVu Sans' : 'DejaVu Serif';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}" rx="6" fill="${bg}"/>
    <text x="15" y="${Math.round(h * 0.72)}" font-family="${font}" font-weight="bold" font-size="${size}" fill="${fg}">${text}</text></svg>`;
  let img = await sharp(src(background)).removeAlpha().composite([{ input: Buffer.from(svg), left: x, top: y }]).png().toBuffer();
  if (variant.angle) img = await sharp(img).rotate(variant.angle, { background: '#808080' }).png().toBuffer();
  if (variant.shear) img = await sharp(img).affine([[1, 0], [variant.shear, 1]], { background: '#808080' }).png().toBuffer();
  if (variant.blur) img = await sharp(img).blur(variant.blur).png().toBuffer();
  await sharp(img).jpeg({ quality: variant.quality }).toFile(out);
}

/** Another viewpoint of the same scene: sheared, rotated, cropped off-centre, darker, smaller. */
async function viewpoint(image: string, r: () => number, out: string): Promise<void> {
  const sheared = await sharp(src(image)).removeAlpha().affine([[1, 0.08 + r() * 0.08], [0.04 * r(), 1]], { background: '#000000' }).rotate(4 + r() * 6, { background: '#000000' }).png().toBuffer();
  const m = await sharp(sheared).metadata();
  const cw = Math.floor(m.width! * 0.7);
  const ch = Math.floor(m.height! * 0.7);
  const left = Math.floor(m.width! * 0.15 * (0.5 + r()));
  const top = Math.floor(m.height! * 0.15 * (0.5 + r()));
  await sharp(sheared).extract({ left, top, width: Math.min(cw, m.width! - left), height: Math.min(ch, m.height! - top) }).modulate({ brightness: 0.8 + r() * 0.15 }).resize({ width: Math.floor(cw * 0.85) }).jpeg({ quality: 80 }).toFile(out);
}

export async function buildEvalSet(dir: string): Promise<EvalSet> {
  mkdirSync(dir, { recursive: true });
  const r = rng(20261123);
  const set: EvalSet = { dir, text: [], objects: [], scenes: { gallery: [], viewpoints: [], crops: [] }, duplicates: [], faces: [], sceneLabels: [] };

  // Scene text: two words on a sign, pasted onto a photo, then rotated / blurred / re-encoded /
  // made small / sheared.
  const variants = [
    { name: 'plain', angle: 0, blur: 0, quality: 90 },
    { name: 'rotated', angle: 5, blur: 0, quality: 85 },
    { name: 'blurred', angle: 0, blur: 1.2, quality: 85 },
    { name: 'jpeg-40', angle: -3, blur: 0, quality: 40 },
    { name: 'small', angle: 0, blur: 0, quality: 85, maxSize: 16 },
    { name: 'sheared', angle: 0, blur: 0, quality: 85, shear: 0.2 },
  ];
  for (let i = 0; i < 30; i++) {
    const words = [WORDS[i % WORDS.length]!, WORDS[(i * 7 + 5) % WORDS.length]!];
    const v = variants[i % variants.length]!;
    const path = join(dir, `text-${String(i).padStart(2, '0')}-${v.name}.jpg`);
    await sign(PHOTOS[i % PHOTOS.length]!, words, r, path, v);
    set.text.push({ path, words, variant: v.name });
  }

  // Objects: the originals, and each object cut out and pasted onto other backgrounds.
  for (const image of [...new Set(OBJECTS.map((o) => o.image))]) {
    set.objects.push({ path: src(image), objects: OBJECTS.filter((o) => o.image === image).map(({ label, box }) => ({ label, box })) });
  }
  const backgrounds = ['eval:grass.png', 'eval:brick.png', 'eval:gravel.png'];
  for (const [i, o] of OBJECTS.filter((o) => o.label !== 'spoon').entries()) {
    for (const [j, bgName] of backgrounds.entries()) {
      const bg = await sharp(src(bgName)).removeAlpha().resize(800, 600, { fit: 'cover' }).toBuffer();
      const scale = 0.5 + 0.3 * r();
      const w = Math.round(o.box.w * scale);
      const h = Math.round(o.box.h * scale);
      const left = Math.floor(r() * (800 - w));
      const top = Math.floor(r() * (600 - h));
      const obj = await sharp(src(o.image)).removeAlpha().extract({ left: o.box.x, top: o.box.y, width: o.box.w, height: o.box.h }).resize(w, h).toBuffer();
      const path = join(dir, `object-${i}-${j}-${o.label}.jpg`);
      await sharp(bg).composite([{ input: obj, left, top }]).jpeg({ quality: 88 }).toFile(path);
      set.objects.push({ path, objects: [{ label: o.label, box: { x: left, y: top, w, h } }] });
    }
  }

  // Scenes: each photo, a second viewpoint of it, and two crops of it (queries).
  for (const image of PHOTOS) {
    const id = image.replace(/^eval:/, '').replace(/\.\w+$/, '');
    set.scenes.gallery.push({ id, path: src(image) });
    const vp = join(dir, `view-${id}.jpg`);
    await viewpoint(image, r, vp);
    set.scenes.viewpoints.push({ path: vp, scene: id, variant: 'synthetic' });
    const m = await sharp(src(image)).metadata();
    for (let k = 0; k < 2; k++) {
      const frac = 0.35 + 0.15 * r();
      const cw = Math.floor(m.width! * frac);
      const ch = Math.floor(m.height! * frac);
      const path = join(dir, `crop-${id}-${k}.png`);
      await sharp(src(image)).removeAlpha().extract({ left: Math.floor(r() * (m.width! - cw)), top: Math.floor(r() * (m.height! - ch)), width: cw, height: ch }).resize({ width: Math.floor(cw * 1.3) }).png().toFile(path);
      set.scenes.crops.push({ path, scene: id, source: id, variant: 'crop of one photo' });
    }
  }
  // Real pairs: each photo is in the gallery, and each finds the other. Crops are cut from one
  // photo around something both show, and the answer is the other photo (the source must come first).
  const galleryIds = new Set(set.scenes.gallery.map((g) => g.id));
  const addToGallery = (image: string) => {
    if (galleryIds.has(idOf(image))) return;
    set.scenes.gallery.push({ id: idOf(image), path: src(image) });
    galleryIds.add(idOf(image));
  };
  for (const pair of PAIRS) {
    for (const image of [pair.a, pair.b]) addToGallery(image);
    for (const [from, to, at] of [[pair.a, pair.b, pair.aAt], [pair.b, pair.a, pair.bAt]] as const) {
      set.scenes.viewpoints.push({ path: src(from), scene: idOf(to), variant: `real pair: ${pair.kind}`, self: idOf(from) });
      const m = await sharp(src(from)).metadata();
      const sizes = [
        { name: 'medium', w: Math.floor(m.width! * 0.4), h: Math.floor(m.height! * 0.4) },
        { name: 'small 140x100', w: 140, h: 100 },
      ];
      for (const size of sizes) {
        const left = Math.max(0, Math.min(m.width! - size.w, Math.round(at[0] * m.width! - size.w / 2)));
        const top = Math.max(0, Math.min(m.height! - size.h, Math.round(at[1] * m.height! - size.h / 2)));
        const path = join(dir, `paircrop-${idOf(from)}-${size.name.split(' ')[0]}.png`);
        await sharp(src(from)).removeAlpha().extract({ left, top, width: size.w, height: size.h }).png().toFile(path);
        set.scenes.crops.push({ path, scene: idOf(to), source: idOf(from), variant: `pair crop, ${size.name}` });
      }
    }
  }
  // Distractors: photos of neither pair.
  for (const image of NO_FACE_PHOTOS) addToGallery(image);

  // Text turned a quarter or half turn (a sign photographed sideways, a page upside down), and real scene text.
  const turns = [90, 180, 270, 90, 180, 270];
  for (const [k, angle] of turns.entries()) {
    const words = [WORDS[(k * 5 + 3) % WORDS.length]!, WORDS[(k * 11 + 2) % WORDS.length]!];
    const plain = join(dir, `text-turn-${k}-plain.png`);
    await sign(PHOTOS[(k + 3) % PHOTOS.length]!, words, r, plain, { angle: 0, blur: 0, quality: 90 });
    const path = join(dir, `text-turn-${k}-${angle}.jpg`);
    await sharp(plain).rotate(angle).jpeg({ quality: 90 }).toFile(path);
    set.text.push({ path, words, variant: `turned ${angle}` });
  }
  // Words with accents (and a currency sign): what PP-OCRv4's dictionary lacks, and what language
  // identification needs.
  for (const [k, words] of ACCENTED.entries()) {
    const path = join(dir, `text-accents-${k}.jpg`);
    await sign(PHOTOS[(k + 5) % PHOTOS.length]!, words, r, path, { angle: 0, blur: 0, quality: 90 });
    set.text.push({ path, words, variant: 'accents' });
  }
  for (const t of SCENE_TEXT) {
    set.text.push({ path: src(t.image), words: t.words.split(' '), ...(t.optional ? { optional: t.optional.split(' ') } : {}), variant: 'real photo' });
  }
  for (const [k, t] of SCENE_TEXT.slice(0, 2).entries()) {
    const angle = k === 0 ? 90 : 180;
    const path = join(dir, `text-real-${idOf(t.image)}-${angle}.jpg`);
    await sharp(src(t.image)).rotate(angle).jpeg({ quality: 92 }).toFile(path);
    set.text.push({ path, words: t.words.split(' '), ...(t.optional ? { optional: t.optional.split(' ') } : {}), variant: `real photo turned ${angle}` });
  }

  // Objects in real photos, boxed by hand on a grid overlay.
  for (const o of REAL_OBJECTS) set.objects.push({ path: src(o.image), objects: o.objects, ...(o.ignore ? { ignore: o.ignore } : {}) });

  // Faces: LFW faces (real photos, mostly frontal, 25 px) enlarged onto real backgrounds, each
  // beside an LFW patch without a face; the same patches alone are the face-free controls, with
  // real photos without people. The astronaut's portrait is a real frontal face at full size.
  const lfw = lfwPatches();
  for (let k = 0; k < 24; k++) {
    const bgName = NO_FACE_PHOTOS[k % NO_FACE_PHOTOS.length]!;
    const bg = await sharp(src(bgName)).removeAlpha().resize(640, 480, { fit: 'cover' }).toBuffer();
    const side = 64 + Math.floor(r() * 96);
    const face = await sharp(lfw[k * 4]!, { raw: { width: 25, height: 25, channels: 1 } }).resize(side, side, { kernel: 'cubic' }).toColourspace('srgb').png().toBuffer();
    const patch = await sharp(lfw[100 + k * 4]!, { raw: { width: 25, height: 25, channels: 1 } }).resize(side, side, { kernel: 'cubic' }).toColourspace('srgb').png().toBuffer();
    const left = Math.floor(r() * (300 - side));
    const top = Math.floor(r() * (480 - side));
    const path = join(dir, `face-${k}.jpg`);
    await sharp(bg).composite([{ input: face, left, top }, { input: patch, left: 330 + Math.floor(r() * (300 - side)), top: Math.floor(r() * (480 - side)) }]).jpeg({ quality: 90 }).toFile(path);
    set.faces.push({ path, boxes: [{ x: left, y: top, w: side, h: side }], variant: 'LFW face on a photo' });
    const control = join(dir, `noface-${k}.jpg`);
    await sharp(bg).composite([{ input: patch, left, top }]).jpeg({ quality: 90 }).toFile(control);
    set.faces.push({ path: control, boxes: [], variant: 'LFW non-face patch on a photo' });
  }
  set.faces.push({ path: src('astronaut.png'), boxes: [{ x: 165, y: 40, w: 130, h: 160 }], variant: 'real portrait' });
  for (const image of NO_FACE_PHOTOS) set.faces.push({ path: src(image), boxes: [], variant: 'real photo without people' });

  for (const l of SCENE_LABELS) set.sceneLabels.push({ path: src(l.image), indoor: l.indoor, ...(l.place ? { place: l.place } : {}) });

  // Near-duplicates: re-encoded, resized, border-cropped and brightened copies.
  for (const image of PHOTOS) {
    const id = image.replace(/^eval:/, '').replace(/\.\w+$/, '');
    const m = await sharp(src(image)).metadata();
    const copies = [
      { variant: 'jpeg-40', make: (s: SharpImage) => s.jpeg({ quality: 40 }) },
      { variant: 'half-size', make: (s: SharpImage) => s.resize({ width: Math.floor(m.width! / 2) }).png() },
      { variant: 'crop-5%', make: (s: SharpImage) => s.extract({ left: Math.floor(m.width! * 0.05), top: Math.floor(m.height! * 0.05), width: Math.floor(m.width! * 0.9), height: Math.floor(m.height! * 0.9) }).png() },
      { variant: 'brighter', make: (s: SharpImage) => s.modulate({ brightness: 1.15 }).png() },
    ];
    const out = { original: src(image), copies: [] as { path: string; variant: string }[] };
    for (const c of copies) {
      const path = join(dir, `dup-${id}-${c.variant}.${c.variant === 'jpeg-40' ? 'jpg' : 'png'}`);
      await c.make(sharp(src(image)).removeAlpha()).toFile(path);
      out.copies.push({ path, variant: c.variant });
    }
    set.duplicates.push(out);
  }
  writeFileSync(join(dir, 'ground-truth.json'), JSON.stringify(set, null, 2));
  return set;
}

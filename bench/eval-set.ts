import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Box } from '../core/clues';
import { projectRoot } from '../core/project-root';

// The evaluation set: benign public photos (samples/, eval/source/) and images derived from them
// with known answers. Deterministic (seeded), so every run measures the same thing. The ground
// truth is written next to the images as ground-truth.json.

const ROOT = projectRoot();
const src = (name: string) => (name.startsWith('eval:') ? join(ROOT, 'eval', 'source', name.slice(5)) : join(ROOT, 'samples', name));

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

const WORDS = [
  'WIVENHOE', 'BAKERY', 'HOTEL', 'MIRAMAR', 'PHARMACY', 'SCHOOL', 'STATION', 'GARAGE', 'MARKET', 'CAFE',
  'LIBRARY', 'MOTEL', 'HARBOUR', 'BUTCHER', 'FLORIST', 'CINEMA', 'DENTIST', 'LAUNDRY', 'BARBER', 'TAVERN',
  'ROSEWOOD', 'KINGSLEY', 'AVENUE', 'PRIMARY',
];

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
  text: { path: string; words: string[]; variant: string }[];
  objects: { path: string; objects: { label: string; box: Box }[] }[];
  scenes: { gallery: { id: string; path: string }[]; viewpoints: { path: string; scene: string; variant: string }[]; crops: { path: string; scene: string }[] };
  duplicates: { original: string; copies: { path: string; variant: string }[] }[];
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
  const set: EvalSet = { dir, text: [], objects: [], scenes: { gallery: [], viewpoints: [], crops: [] }, duplicates: [] };

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
      set.scenes.crops.push({ path, scene: id });
    }
  }
  // The one real second viewpoint: the right camera of the Middlebury stereo pair.
  set.scenes.viewpoints.push({ path: src('eval:motorcycle_right.png'), scene: 'motorcycle_left', variant: 'real stereo pair' });

  // Near-duplicates: re-encoded, resized, border-cropped and brightened copies.
  for (const image of PHOTOS) {
    const id = image.replace(/^eval:/, '').replace(/\.\w+$/, '');
    const m = await sharp(src(image)).metadata();
    const copies = [
      { variant: 'jpeg-40', make: (s: sharp.Sharp) => s.jpeg({ quality: 40 }) },
      { variant: 'half-size', make: (s: sharp.Sharp) => s.resize({ width: Math.floor(m.width! / 2) }).png() },
      { variant: 'crop-5%', make: (s: sharp.Sharp) => s.extract({ left: Math.floor(m.width! * 0.05), top: Math.floor(m.height! * 0.05), width: Math.floor(m.width! * 0.9), height: Math.floor(m.height! * 0.9) }).png() },
      { variant: 'brighter', make: (s: sharp.Sharp) => s.modulate({ brightness: 1.15 }).png() },
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

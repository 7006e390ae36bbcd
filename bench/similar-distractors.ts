import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

// Distractor photos for bench:similar: real pixels, made here from benign public photos that Debian's
// wallpaper packages ship (ukui-wallpapers, mate-backgrounds, gnome-backgrounds; apt-get install
// them), none of them an eval source, so no distractor holds a query's object. Each is a crop, a
// rescale, a flip, a colour or JPEG change, or a mosaic of several, so that they look like photos
// and share content with each other, as a seizure's photos do. Distractor i is always the same
// image (seeded by i), written once to the cache folder and reused by later runs.

const SOURCE_DIR = '/usr/share/backgrounds';
/** eval/source holds Dune.jpg (from mate-backgrounds): a query's photo, never a distractor. */
const EVAL_SOURCES = new Set(['Dune.jpg']);
const MAX_SIDE = 640;

export function distractorSources(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).sort().flatMap((f) => {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) return walk(p);
      return /\.(jpe?g|png|webp)$/i.test(f) && !EVAL_SOURCES.has(f) && !/_\d+x\d+\./.test(f) ? [p] : [];
    });
  const found = existsSync(SOURCE_DIR) ? walk(SOURCE_DIR) : [];
  if (found.length < 20) throw new Error(`${SOURCE_DIR} has ${found.length} photos: apt-get install ukui-wallpapers mate-backgrounds gnome-backgrounds`);
  return found;
}

function rng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** A random crop of a source photo, at most MAX_SIDE, as raw-ready sharp pipeline input. */
async function cropOf(path: string, r: () => number, minFrac: number): Promise<Buffer> {
  const img = sharp(path).rotate().removeAlpha();
  const m = await img.metadata();
  const fw = minFrac + (1 - minFrac) * r();
  const fh = Math.min(1, fw * (0.6 + 0.8 * r()));
  const w = Math.max(64, Math.floor(m.width! * fw));
  const h = Math.max(64, Math.floor(m.height! * fh));
  const left = Math.floor(r() * (m.width! - w));
  const top = Math.floor(r() * (m.height! - h));
  return img.extract({ left, top, width: w, height: h }).resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside' }).toBuffer();
}

/** Distractor number `i` as a JPEG in `dir` (made if missing); returns its path. */
export async function distractor(dir: string, i: number, sources: string[]): Promise<string> {
  const path = join(dir, `${Math.floor(i / 1000)}`, `d${i}.jpg`);
  if (existsSync(path)) return path;
  mkdirSync(join(dir, `${Math.floor(i / 1000)}`), { recursive: true });
  const r = rng(i + 1);
  const pick = () => sources[Math.floor(r() * sources.length)]!;
  let img: sharp.Sharp;
  if (r() < 0.3) {
    // A mosaic of 2-4 crops of different photos.
    const cols = r() < 0.5 ? 2 : 1;
    const rows = cols === 1 ? 2 : r() < 0.5 ? 1 : 2;
    const cw = Math.floor(MAX_SIDE / cols);
    const ch = Math.floor((MAX_SIDE * 0.75) / rows);
    const tiles = [];
    for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) tiles.push({ input: await sharp(await cropOf(pick(), r, 0.2)).resize(cw, ch, { fit: 'cover' }).toBuffer(), left: x * cw, top: y * ch });
    img = sharp(await sharp({ create: { width: cw * cols, height: ch * rows, channels: 3, background: { r: 0, g: 0, b: 0 } } }).composite(tiles).png().toBuffer());
  } else {
    img = sharp(await cropOf(pick(), r, 0.25));
    const scale = 0.5 + 0.5 * r();
    const m = await img.metadata();
    img = sharp(await img.resize(Math.max(64, Math.round(m.width! * scale))).toBuffer());
  }
  if (r() < 0.5) img = img.flop();
  if (r() < 0.6) img = img.modulate({ brightness: 0.7 + 0.6 * r(), saturation: 0.5 + r(), hue: Math.round(r() * 40 - 20) });
  await img.jpeg({ quality: Math.round(40 + 50 * r()) }).toFile(path);
  return path;
}

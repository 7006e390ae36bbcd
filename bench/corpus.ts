import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { root } from './batch-support';

// What a seizure holds, made at bench time (never committed): phone photos at 12 MP with a phone's
// EXIF, screenshots with interface text, and small web pictures. Made from the largest real photos
// the project has (eval/source, samples: benign public photos from registry packages), re-encoded;
// a phone photo is one of them cut and scaled to 4032 x 3024 with a sensor's grain, so that its
// JPEG is as large (and as slow to decode) as a real one. Cached under .data/bench/corpus.

export const MIXES = ['phone', 'small', 'mixed'] as const;
export type Mix = (typeof MIXES)[number];

/** `mixed`: half phone photos, a fifth screenshots, the rest small web pictures. */
const MIXED = { phone: 0.5, screenshot: 0.2, small: 0.3 };

const PHONE = { width: 4032, height: 3024, quality: 90 };
const SCREEN = { width: 1920, height: 1080 };

/** Real photos to cut from, largest first (at least 0.25 megapixels). */
async function sourcePhotos(): Promise<string[]> {
  const dirs = [join(root, 'eval', 'source'), join(root, 'samples')];
  const found: { path: string; px: number }[] = [];
  for (const dir of dirs) {
    for (const f of readdirSync(dir).filter((n) => /\.(jpe?g|png)$/i.test(n))) {
      const meta = await sharp(join(dir, f)).metadata().catch(() => undefined);
      const px = (meta?.width ?? 0) * (meta?.height ?? 0);
      if (px >= 250_000 && (meta?.channels ?? 0) >= 3) found.push({ path: join(dir, f), px });
    }
  }
  return found.sort((a, b) => b.px - a.px || a.path.localeCompare(b.path)).map((f) => f.path);
}

/** A deterministic pseudo-random stream (mulberry32), so a corpus is the same on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tile of sensor grain (grey noise around mid-grey), laid over a photo with `overlay`. */
async function grainTile(seed: number): Promise<Buffer> {
  const side = 512;
  const rnd = random(seed);
  const px = Buffer.alloc(side * side);
  for (let i = 0; i < px.length; i++) px[i] = 128 + Math.round((rnd() + rnd() + rnd() - 1.5) * 14);
  return sharp(px, { raw: { width: side, height: side, channels: 1 } }).png().toBuffer();
}

const pad = (n: number) => String(n).padStart(2, '0');
const dms = (deg: number) => {
  const a = Math.abs(deg);
  const d = Math.floor(a);
  const m = Math.floor((a - d) * 60);
  const s = Math.round(((a - d) * 60 - m) * 60 * 100);
  return `${d}/1 ${m}/1 ${s}/100`;
};

/** A phone's EXIF: camera, time with its offset, and a GPS fix in Europe. */
function phoneExif(rnd: () => number) {
  const models = [
    ['Apple', 'iPhone 12'],
    ['samsung', 'SM-G991B'],
    ['Google', 'Pixel 6'],
  ] as const;
  const [make, model] = models[Math.floor(rnd() * models.length)]!;
  const t = new Date(Date.UTC(2019, 0, 1) + Math.floor(rnd() * 4 * 365 * 86400) * 1000);
  const when = `${t.getUTCFullYear()}:${pad(t.getUTCMonth() + 1)}:${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  const lat = 41 + rnd() * 13;
  const lon = -4 + rnd() * 28;
  return {
    IFD0: { Make: make, Model: model, DateTime: when, Software: 'bench corpus' },
    IFD2: { DateTimeOriginal: when, OffsetTimeOriginal: '+01:00' },
    IFD3: { GPSLatitudeRef: 'N', GPSLatitude: dms(lat), GPSLongitudeRef: lon < 0 ? 'W' : 'E', GPSLongitude: dms(lon) },
  };
}

async function phonePhoto(src: string, i: number, out: string): Promise<void> {
  const rnd = random(1000 + i);
  const meta = await sharp(src).metadata();
  // A different cut of the photo each time (and a mirror every other), scaled to the sensor's size.
  const w = meta.width!;
  const h = meta.height!;
  const cw = Math.max(64, Math.round(Math.min(w, (h * 4) / 3) * (0.8 + rnd() * 0.2)));
  const ch = Math.round((cw * 3) / 4);
  const left = Math.floor(rnd() * (w - cw + 1));
  const top = Math.floor(rnd() * (h - ch + 1));
  let img = sharp(src).extract({ left, top, width: cw, height: Math.min(ch, h - top) }).resize(PHONE.width, PHONE.height, { fit: 'fill', kernel: 'lanczos3' });
  if (i % 2) img = img.flop();
  const upscaled = await img.removeAlpha().toBuffer();
  await sharp(upscaled)
    .composite([{ input: await grainTile(i), tile: true, blend: 'overlay' }])
    .withExif(phoneExif(rnd))
    .jpeg({ quality: PHONE.quality, chromaSubsampling: '4:2:0' })
    .toFile(out);
}

const WORDS = ['Inbox', 'Settings', 'Messages', 'Photos', 'Search', 'Profile', 'Share', 'Download', 'Gallery', 'Contacts', 'Calendar', 'Notifications', 'Privacy', 'Account', 'Help'];
const PLACES = ['Warszawa Centralna', 'Gare du Nord', 'Hauptbahnhof', 'Plaza Mayor', 'Piazza Navona', 'Station Road'];

/** A 1920 x 1080 screenshot: a window with a menu, a list of messages and a photo in it. */
async function screenshot(src: string, i: number, out: string): Promise<void> {
  const rnd = random(2000 + i);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)]!;
  const lines = Array.from({ length: 14 }, (_, k) => {
    const y = 150 + k * 62;
    const text = `${pick(WORDS)}: meet at ${pick(PLACES)} ${1 + Math.floor(rnd() * 12)}:${pad(Math.floor(rnd() * 60))}`;
    return `<rect x="40" y="${y - 34}" width="760" height="52" rx="10" fill="${k % 2 ? '#e8eef6' : '#ffffff'}"/><text x="60" y="${y}" font-family="DejaVu Sans" font-size="24" fill="#1d2733">${text}</text>`;
  }).join('');
  const menu = WORDS.slice(0, 8).map((w, k) => `<text x="${40 + k * 170}" y="60" font-family="DejaVu Sans" font-size="26" fill="#ffffff">${w}</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SCREEN.width}" height="${SCREEN.height}"><rect width="100%" height="100%" fill="#f4f6f9"/><rect width="100%" height="96" fill="#2b5797"/>${menu}${lines}</svg>`;
  const photo = await sharp(src).resize(1000, 800, { fit: 'cover' }).toBuffer();
  await sharp(Buffer.from(svg))
    .composite([{ input: photo, left: 860, top: 140 }])
    .png({ compressionLevel: 6 })
    .toFile(out);
}

/** A small web picture: a cut of a photo, at most 1024 px, JPEG q75. */
async function smallPicture(src: string, i: number, out: string): Promise<void> {
  const rnd = random(3000 + i);
  const side = 480 + Math.floor(rnd() * 544);
  let img = sharp(src).resize(side, side, { fit: 'inside' }).modulate({ brightness: 0.9 + rnd() * 0.2 });
  if (i % 2) img = img.flop();
  await img.jpeg({ quality: 75 }).toFile(out);
}

/** The kind of the i-th image of a mix (an even spread over the run, not blocks). */
export function kindOf(mix: Mix, i: number): 'phone' | 'screenshot' | 'small' {
  if (mix === 'phone') return 'phone';
  if (mix === 'small') return 'small';
  const at = (i * 0.618034) % 1; // golden-ratio spread: each kind through the whole run
  return at < MIXED.phone ? 'phone' : at < MIXED.phone + MIXED.screenshot ? 'screenshot' : 'small';
}

/**
 * A folder of `count` images of this mix, made once and kept (.data/bench/corpus/<mix>-<count>):
 * every image distinct, named in order.
 */
export async function corpus(mix: Mix, count: number, log: (s: string) => void = () => undefined): Promise<{ dir: string; bytes: number; sources: string[] }> {
  const sources = await sourcePhotos();
  if (sources.length === 0) throw new Error('no source photos of 0.25 MP or more in eval/source or samples');
  const key = createHash('sha256').update(JSON.stringify({ v: 1, mix, count, sources: sources.map((s) => s.slice(root.length)) })).digest('hex').slice(0, 10);
  const dir = join(root, '.data', 'bench', 'corpus', `${mix}-${count}-${key}`);
  if (!existsSync(`${dir}.complete`)) {
    const tmp = `${dir}.part`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (let i = 0; i < count; i++) {
      const src = sources[i % sources.length]!;
      const kind = kindOf(mix, i);
      const name = join(tmp, `${String(i).padStart(6, '0')}-${kind}.${kind === 'screenshot' ? 'png' : 'jpg'}`);
      if (kind === 'phone') await phonePhoto(src, i, name);
      else if (kind === 'screenshot') await screenshot(src, i, name);
      else await smallPicture(src, i, name);
      if ((i + 1) % 25 === 0) log(`corpus ${mix}: ${i + 1}/${count}`);
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    writeFileSync(`${dir}.complete`, new Date().toISOString());
  }
  const bytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  return { dir, bytes, sources };
}

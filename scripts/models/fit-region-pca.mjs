// Fits the PCA and whitening of region descriptors (models/region-descriptors.ts) on benign public
// photos from Debian's wallpaper packages, none of them in the eval (mate-backgrounds' Dune.jpg is,
// and is left out), and writes models/weights/region-pca.bin. Deterministic: seeded crops, fixed order.
//
//   apt-get install ukui-wallpapers mate-backgrounds gnome-backgrounds
//   npx tsc -p tsconfig.json && node scripts/models/fit-region-pca.mjs [dims] [out]
import { createHash } from 'node:crypto';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('../..', import.meta.url).pathname;
const sharp = require(join(root, 'node_modules/sharp'));
const { ImageNetBackbone } = require(join(root, 'dist/models/imagenet-backbone.js'));
const { gridRegions, poolRegion, RegionProjection } = require(join(root, 'dist/models/region-descriptors.js'));

const DIMS = Number(process.argv[2] ?? 128);
const OUT = process.argv[3] ?? join(root, 'models/weights/region-pca.bin');
/** Whitening strength: components are divided by eigenvalue^(ALPHA/2); 1 is full whitening. */
const ALPHA = 0.5;
const CROPS_PER_IMAGE = 24;
const SKIP = new Set(['Dune.jpg']); // in eval/source

function files(dir) {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(jpe?g|png|webp)$/i.test(f) && !SKIP.has(f) && !/_\d+x\d+\./.test(f) ? [p] : [];
  });
}

let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

const backbone = await ImageNetBackbone.create(2);
const sources = files('/usr/share/backgrounds');
const vectors = [];
for (const path of sources) {
  const img = sharp(path).rotate().removeAlpha();
  const meta = await img.metadata();
  for (let k = 0; k < CROPS_PER_IMAGE; k++) {
    const frac = k === 0 ? 1 : 0.25 + 0.75 * rnd();
    const w = Math.max(64, Math.floor(meta.width * frac));
    const h = Math.max(64, Math.floor(meta.height * (k === 0 ? 1 : Math.min(1, frac * (0.7 + 0.6 * rnd())))));
    const left = Math.floor(rnd() * (meta.width - w));
    const top = Math.floor(rnd() * (meta.height - h));
    let p = sharp(path).rotate().removeAlpha().extract({ left, top, width: w, height: h }).resize({ width: 768, height: 768, fit: 'inside' });
    if (rnd() < 0.5) p = p.flop();
    const { data, info } = await p.raw().toBuffer({ resolveWithObject: true });
    const map = await backbone.featureMap({ data, width: info.width, height: info.height, channels: 3, scale: 1 });
    for (const r of gridRegions(map.height, map.width)) vectors.push(poolRegion(map, r));
  }
}
const n = vectors.length;
const d = vectors[0].length;
console.log(`${sources.length} photos, ${n} regions of ${d} dims`);
const mean = new Float64Array(d);
for (const v of vectors) for (let i = 0; i < d; i++) mean[i] += v[i] / n;
const cov = new Float64Array(d * d);
const c = new Float64Array(d);
for (const v of vectors) {
  for (let i = 0; i < d; i++) c[i] = v[i] - mean[i];
  for (let i = 0; i < d; i++) {
    const ci = c[i];
    if (ci === 0) continue;
    const row = i * d;
    for (let j = i; j < d; j++) cov[row + j] += ci * c[j];
  }
}
for (let i = 0; i < d; i++) for (let j = i; j < d; j++) cov[j * d + i] = cov[i * d + j] /= n - 1;
// The top DIMS eigenvectors by subspace iteration (orthonormalised by Gram-Schmidt each round).
let q = Array.from({ length: DIMS }, (_, k) => Float64Array.from({ length: d }, (_, i) => Math.sin(1 + i * 0.37 + k * 1.31)));
const orth = (vs) => {
  for (let k = 0; k < vs.length; k++) {
    for (let m = 0; m < k; m++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += vs[k][i] * vs[m][i];
      for (let i = 0; i < d; i++) vs[k][i] -= dot * vs[m][i];
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += vs[k][i] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < d; i++) vs[k][i] /= norm;
  }
  return vs;
};
const times = (v) => {
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) s += cov[row + j] * v[j];
    out[i] = s;
  }
  return out;
};
q = orth(q);
for (let it = 0; it < 60; it++) q = orth(q.map(times));
const eig = q.map((v) => times(v).reduce((s, x, i) => s + x * v[i], 0));
const order = eig.map((e, i) => [e, i]).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
const components = new Float32Array(DIMS * d);
order.forEach((k, row) => {
  const scale = 1 / Math.pow(Math.max(eig[k], 1e-12), ALPHA / 2);
  for (let i = 0; i < d; i++) components[row * d + i] = q[k][i] * scale;
});
const total = Array.from({ length: d }, (_, i) => cov[i * d + i]).reduce((a, b) => a + b, 0);
console.log(`variance kept by ${DIMS} components: ${(eig.reduce((a, b) => a + b, 0) / total * 100).toFixed(1)}%`);
const buf = RegionProjection.encode(Float32Array.from(mean), components, DIMS);
writeFileSync(OUT, buf);
console.log(`${OUT}: ${buf.length} bytes, sha256 ${createHash('sha256').update(buf).digest('hex')}`);
await backbone.close();

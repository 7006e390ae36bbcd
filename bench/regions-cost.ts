import { join } from 'node:path';
import { loadConfig } from '../core/config';
import { LocalEngine } from '../engine/local-engine';
import type { ImageInput } from '../engine/image-engine';
import { fileSha256 } from '../models/file-hashes';
import { root } from './batch-support';
import { buildEvalSet } from '../eval/set';

// What the regions stage adds to processing an image (issue 22: at most 10%), on the eval's 41
// scene photos: every engine operation the pipeline runs on an image, timed in one process with
// the pixels cached between stages as the worker does, with the regions pass (and the object and
// text boxes it pools) beside the rest. `node dist/bench/regions-cost.js [--json]`

async function main(): Promise<void> {
  process.env.CLUES_DATA_DIR ??= join(root, '.data', 'bench-similar');
  const cfg = loadConfig();
  const set = await buildEvalSet(join(cfg.dataDir, 'eval-set'));
  const engine = await LocalEngine.create(cfg);
  const ms: Record<string, number> = {};
  const timed = async <T>(op: string, run: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const out = await run();
    ms[op] = (ms[op] ?? 0) + performance.now() - t;
    return out;
  };
  const photos = set.scenes.gallery.map((g) => g.path);
  for (const [round, path] of [...photos, ...photos].entries()) {
    const src: ImageInput = { path, sha256: `${await fileSha256(path)}-${round}` }; // a fresh decode each round
    const rec = round >= photos.length; // the first round warms the models up
    const t = <T>(op: string, run: () => Promise<T>) => (rec ? timed(op, run) : run());
    await t('probe', () => engine.probe(src));
    await t('pdq', () => engine.pdq(src));
    const objects = await t('objects', () => engine.objects(src, 0.1));
    const text = await t('text', () => engine.text(src));
    await t('describe', () => engine.describe(src));
    await t('faces', () => engine.faces(src));
    await t('scene', () => engine.scene(src, objects.found));
    await t('regions', () => engine.regions(src, [...objects.found.map((o) => ({ box: o.box, kind: 'object' as const })), ...text.lines.map((l) => ({ box: l.box, kind: 'text' as const }))]));
  }
  await engine.close();
  const n = photos.length;
  const per = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round(v / n)]));
  const before = Object.entries(per).filter(([k]) => k !== 'regions').reduce((s, [, v]) => s + v, 0);
  const out = { images: n, ms_per_image_before: before, ms_per_image_after: before + per.regions!, regions_ms: per.regions, added_pct: Math.round((per.regions! / before) * 1000) / 10, ms_per_op: per };
  console.log(process.argv.includes('--json') ? JSON.stringify(out) : out);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

// Builds the web views into dist/web: one small bundle per page, the pages and the style sheet.
// esbuild comes with vitest's vite; nothing here reaches the network.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
mkdirSync(join(out, 'assets'), { recursive: true });

await build({
  entryPoints: ['analyst', 'tag', 'review'].map((p) => join(root, 'web', 'src', `${p}.ts`)),
  outdir: join(out, 'assets'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
for (const page of ['analyst.html', 'tag.html', 'review.html']) copyFileSync(join(root, 'web', page), join(out, page));
copyFileSync(join(root, 'web', 'style.css'), join(out, 'assets', 'style.css'));

// Builds the web views into dist/web: one small bundle per page, the pages and the style sheet.
// esbuild comes with vitest's vite; nothing here reaches the network.
// Source maps only with `--sourcemap` (development): a production build has none to serve.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
// `--out DIR` builds elsewhere than dist/web (tests).
const out = args.includes('--out') ? resolve(args[args.indexOf('--out') + 1]) : join(root, 'dist', 'web');
const sourcemap = args.includes('--sourcemap');
mkdirSync(join(out, 'assets'), { recursive: true });
// No map from an earlier development build survives a production one.
for (const f of readdirSync(join(out, 'assets'))) if (f.endsWith('.map')) rmSync(join(out, 'assets', f));

await build({
  entryPoints: ['analyst', 'tag', 'review'].map((p) => join(root, 'web', 'src', `${p}.ts`)),
  outdir: join(out, 'assets'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap,
  logLevel: 'warning',
});
// The pages share their head and sign-in form, written once and included here.
const login = readFileSync(join(root, 'web', 'login.part.html'), 'utf8');
const head = (title, script) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  <link rel="stylesheet" href="/assets/style.css">
  <script type="module" src="/assets/${script}.js"></script>
</head>
`;
for (const page of ['analyst', 'tag', 'review']) {
  const html = readFileSync(join(root, 'web', `${page}.html`), 'utf8')
    .replace(/<!-- include: head "([^"]+)" (\w+) -->\n/, (_, title, script) => head(title, script))
    .replace('    <!-- include: login -->\n', login);
  writeFileSync(join(out, `${page}.html`), html);
}
copyFileSync(join(root, 'web', 'style.css'), join(out, 'assets', 'style.css'));

import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/fixtures';

// scripts/build-web.mjs: a production build has no source maps (the API refuses to serve any that
// exist anyway: tests/api.test.ts).

const build = (...args: string[]) => promisify(execFile)(process.execPath, [join(__dirname, '..', 'scripts', 'build-web.mjs'), ...args]);

describe('web build', () => {
  it('when the web views are built for production, then no source map is written or referenced, even over a development build', async () => {
    const out = tempDir('web-build');
    await build('--out', out, '--sourcemap');
    expect(readdirSync(join(out, 'assets')).filter((f) => f.endsWith('.map')).sort()).toEqual(['analyst.js.map', 'review.js.map', 'tag.js.map']);
    await build('--out', out);
    const assets = readdirSync(join(out, 'assets'));
    expect(assets.sort()).toEqual(['analyst.js', 'review.js', 'style.css', 'tag.js']);
    for (const f of assets) expect(readFileSync(join(out, 'assets', f), 'utf8'), f).not.toContain('sourceMappingURL');
  });
});

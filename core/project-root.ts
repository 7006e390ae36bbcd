import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The checkout's root, found from this file whether it runs from source or from dist/. */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'clue-tagging-pipeline') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json of clue-tagging-pipeline not found above ${__dirname}`);
    dir = parent;
  }
}

import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Everything under the data folder is derived from evidence (logs naming files, databases of
// clues, thumbnails, crops): on a shared machine it is no one else's business. Owner only.

/** Files 600, folders 700. */
export const PRIVATE_UMASK = 0o077;

/**
 * Makes every file this process and its children create owner-only. Call first thing in every
 * entry point (the CLI, the worker, the API); spawned processes inherit the umask.
 *
 * @example restrictFileModes(); // in main(), before anything is written
 */
export function restrictFileModes(): void {
  process.umask(PRIVATE_UMASK);
}

/** Runs `fn` with the private umask, e.g. to spawn a server that then creates its own files. */
export function withPrivateUmask<T>(fn: () => T): T {
  const before = process.umask(PRIVATE_UMASK);
  try {
    return fn();
  } finally {
    process.umask(before);
  }
}

/**
 * Creates `dir` owner-only, or tightens an existing one. A folder that was open to others (made
 * by an earlier version at 755/644) has everything in it tightened once; after that, the umask
 * keeps what is added private, and 700 on the folder alone bars everyone else.
 */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) === 0) return;
  const tighten = (path: string): void => {
    const s = lstatSync(path); // a symlink is not followed: what it points at is not ours to change
    if (s.isSymbolicLink()) return;
    if (s.isDirectory()) {
      chmodSync(path, 0o700);
      for (const name of readdirSync(path)) tighten(join(path, name));
    } else if (s.mode & 0o077) {
      chmodSync(path, s.mode & 0o700);
    }
  };
  tighten(dir);
}

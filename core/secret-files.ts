import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// Secrets live in the data folder's secrets/ (700), each file 600 and written once: `wx` fails
// when another process made it first, and then that one is read.

/** The file's content, made by `make` (and written owner-only) when it does not exist yet. */
export function ensureSecretFile(path: string, make: () => string): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, make(), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(path, 'utf8');
}

/** 32 random bytes, base64url: a password no one types. */
export const randomSecret = () => randomBytes(32).toString('base64url');

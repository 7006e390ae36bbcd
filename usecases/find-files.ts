import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface FoundFile {
  path: string;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

/**
 * Regular files named on the command line or found below named folders, in a stable order.
 * Symlinks inside folders are not followed (they may lead out of the seizure); hidden files are kept.
 * A folder that cannot be read is a failure with its reason: the files in it are never seen.
 */
export async function findFiles(args: string[]): Promise<{ files: FoundFile[]; skipped: SkippedFile[]; failed: SkippedFile[] }> {
  const files: FoundFile[] = [];
  const skipped: SkippedFile[] = [];
  const failed: SkippedFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      failed.push({ path: dir, reason: `cannot read folder (its files are not listed): ${(err as Error).message}` });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) files.push({ path: p });
      else if (e.isSymbolicLink()) skipped.push({ path: p, reason: 'symlink not followed' });
      else skipped.push({ path: p, reason: 'not a regular file' });
    }
  };
  for (const arg of args) {
    const abs = resolve(arg);
    try {
      const l = await lstat(abs);
      const s = l.isSymbolicLink() ? await stat(abs) : l;
      // A path named explicitly is what the user asked for, symlink or not.
      const real = l.isSymbolicLink() ? await realpath(abs) : abs;
      if (s.isDirectory()) await walk(real);
      else if (s.isFile()) files.push({ path: real });
      else skipped.push({ path: abs, reason: 'not a regular file' });
    } catch (err) {
      skipped.push({ path: abs, reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (err as Error).message });
    }
  }
  return { files, skipped, failed };
}

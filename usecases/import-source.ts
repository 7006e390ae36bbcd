import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

/** Why a run's source was refused: the caller answers 400 (outside) or 404 (missing). */
export class ImportSourceError extends Error {
  constructor(
    message: string,
    readonly kind: 'outside' | 'missing',
  ) {
    super(message);
  }
}

const within = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * The real path of `source` (a folder or a manifest, relative to the import root), refused unless
 * it lies inside the root's real path. Checked twice: by name first (no `..`, nothing absolute),
 * then after every symbolic link on the way is resolved, since a link inside the root may lead
 * anywhere (a folder link, a manifest link, a link to `/`). The run is started on the real path,
 * so the listing never resolves the link again.
 *
 * @example await importSource('/srv/import', 'case-17') // '/srv/import/case-17'
 */
export async function importSource(root: string, source: string): Promise<string> {
  const named = resolve(root, source);
  if (isAbsolute(source) || !within(root, named)) throw new ImportSourceError('the source must be inside the import folder', 'outside');
  const realRoot = await realpath(root).catch(() => {
    throw new ImportSourceError('the import folder does not exist', 'missing');
  });
  const real = await realpath(named).catch((err: NodeJS.ErrnoException) => {
    // A dangling link is as good as missing, wherever it pointed.
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'ELOOP') throw new ImportSourceError('no such folder or manifest in the import folder', 'missing');
    throw err;
  });
  if (!within(realRoot, real)) throw new ImportSourceError('the source leads outside the import folder (through a symbolic link)', 'outside');
  return real;
}

/**
 * A mistake in what the user asked (a bad flag, an unknown image, a path that cannot be read):
 * answered with one line and exit code 2, never a stack trace.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** An fs error about a path the user named, as one line: `cannot read X: too many symbolic links`. */
export function pathError(path: string, err: unknown): UserError | unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why: Record<string, string> = {
    ENOENT: 'no such file or folder',
    ELOOP: 'too many levels of symbolic links (a link loop)',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'a part of the path is not a folder',
    ENAMETOOLONG: 'the name is too long',
  };
  return code && why[code] ? new UserError(`cannot read ${path}: ${why[code]}`) : err;
}

/** A service the command needs does not answer: one line and exit code 1 (not the user's mistake, not a bug). */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

// How the CLI ends. `process.exit()` drops what stdout has not yet handed to the reader: a pipe
// takes 64 KiB at a time, so a JSON answer or an export read by a slower program was cut, with
// exit code 0. Every command ends here, after both streams have drained.

/** Resolves once everything written to `stream` so far has reached the OS (or the reader left). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    // Writes are ordered: the callback of an empty write runs after every earlier chunk is out.
    const done = () => resolve();
    stream.once('error', done);
    try {
      stream.write('', () => {
        stream.off('error', done);
        resolve();
      });
    } catch {
      resolve();
    }
  });
}

/** A reader that closed early (`clues … | head`) is no failure of ours: stop quietly. */
export function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

/** Ends the process with `code` once stdout and stderr have drained. */
export async function exitWhenDrained(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

/**
 * The engine process died or hung on this image, alone: retrying would only do it again. The
 * activity turns it into a non-retryable failure of that one stage.
 */
export class EngineFailure extends Error {
  constructor(
    readonly code: 'crashed' | 'timed-out',
    message: string,
  ) {
    super(message);
    this.name = 'EngineFailure';
  }
}

/** An engine error as it crosses the process boundary. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
}

export function toWire(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

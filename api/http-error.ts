import type { ErrorRequestHandler } from 'express';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import { INVALID_IMAGE } from '../core/clues';

function isInvalidImage(err: unknown): boolean {
  let e: unknown = err instanceof WorkflowFailedError ? err.cause : undefined;
  while (e instanceof Error && !(e instanceof ApplicationFailure) && e.cause) e = e.cause;
  return e instanceof ApplicationFailure && e.type === INVALID_IMAGE;
}

/** The one error type routes throw; anything else is logged and answered as a bare 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof HttpError) {
    res.status(err.status).json({ error: err.message });
  } else if (err instanceof ZodError) {
    res.status(400).json({ error: 'invalid request', issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  } else if ((err as { type?: string }).type === 'entity.too.large') {
    res.status(413).json({ error: 'request too large' });
  } else if (isInvalidImage(err)) {
    res.status(422).json({ error: 'the uploaded file is not an image that can be decoded' });
  } else {
    console.error('[api] internal error:', err);
    res.status(500).json({ error: 'internal error' });
  }
};

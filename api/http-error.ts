import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { INVALID_IMAGE } from '../core/clues';
import { applicationFailure } from '../core/failures';
import { logger } from '../core/log';
import { CaseAccessError } from '../usecases/case-access';

const log = logger('api');

const isInvalidImage = (err: unknown): boolean => applicationFailure(err)?.type === INVALID_IMAGE;

/** The one error type routes throw; anything else is logged and answered as a bare 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// body-parser's refusals (http-errors with `expose`), answered with a fixed message: theirs
// quote the body ("Unexpected token 'x', "..." is not valid JSON"), which a client controls.
const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'the request body is not valid JSON: an object or an array is expected',
  'entity.too.large': 'request too large',
  'charset.unsupported': 'unsupported charset: send UTF-8',
  'encoding.unsupported': 'unsupported Content-Encoding: send identity, gzip, deflate or br',
  'entity.verify.failed': 'the request body was refused',
  'request.aborted': 'the request was aborted',
  'request.size.invalid': 'the request body is not as long as its Content-Length says',
};

/** A client error raised before any route ran: a bad body, charset or encoding. */
function bodyError(err: unknown): { status: number; message: string } | null {
  const e = err as { status?: unknown; expose?: unknown; type?: unknown; code?: unknown };
  if (typeof e?.status !== 'number' || e.status < 400 || e.status > 499 || e.expose !== true) return null;
  const known = typeof e.type === 'string' ? BODY_ERRORS[e.type] : undefined;
  // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR...) have no type: the body did not decompress.
  const message = known ?? (typeof e.code === 'string' && e.code.startsWith('Z_') ? 'the request body could not be decompressed' : 'bad request');
  return { status: e.status, message };
}

/**
 * A path parameter that is not valid percent-encoding (`/api/runs/%`): the router's URIError,
 * whose message quotes the parameter, which the client chose.
 */
const badPathEncoding = (err: unknown): boolean => err instanceof URIError && (err as { status?: unknown }).status === 400;

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const body = bodyError(err);
  if (err instanceof HttpError || err instanceof CaseAccessError) {
    res.status(err.status).json({ error: err.message });
  } else if (err instanceof ZodError) {
    res.status(400).json({ error: 'invalid request', issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  } else if (body) {
    // Logged without the error object: it carries the raw body.
    log.info({ req, status: body.status, type: (err as { type?: string }).type ?? (err as { code?: string }).code }, 'request body refused');
    res.status(body.status).json({ error: body.message });
  } else if (badPathEncoding(err)) {
    log.info({ req, status: 400, type: 'path.decode.failed' }, 'request path refused');
    res.status(400).json({ error: 'the path is not valid percent-encoding' });
  } else if (isInvalidImage(err)) {
    res.status(422).json({ error: 'the uploaded file is not an image that can be decoded' });
  } else {
    log.error({ req, err }, 'internal error');
    res.status(500).json({ error: 'internal error' });
  }
};

import type { Request, RequestHandler } from 'express';
import type { RateLimitRepository } from '../store/rate-limits';
import { HttpError } from './http-error';

// Fixed one-minute windows counted in the database (store/rate-limits.ts): every API process in
// front of the same store counts the same requests, so running several does not multiply the limit.

export interface RateLimitOptions {
  /** Requests per minute for one token. */
  perToken: number;
  /** Requests per minute from one address, whatever the token. */
  perAddress: number;
  /** Separates counters of different limiters. */
  name: string;
}

const WINDOW_MS = 60_000;

export function rateLimit(counters: RateLimitRepository, opts: RateLimitOptions): RequestHandler {
  return (req: Request, res, next) => {
    const token = req.principal?.name ?? 'anonymous';
    const now = Date.now();
    Promise.all([counters.hit(`${opts.name}:t:${token}`, WINDOW_MS, now), counters.hit(`${opts.name}:a:${req.ip ?? ''}`, WINDOW_MS, now)]).then(
      ([byToken, byAddress]) => {
        if (byToken.count > opts.perToken || byAddress.count > opts.perAddress) {
          res.set('Retry-After', String(Math.max(1, Math.ceil((byToken.resetAt - now) / 1000))));
          return next(new HttpError(429, 'too many requests: try again in a minute'));
        }
        next();
      },
      next,
    );
  };
}

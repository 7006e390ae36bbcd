import type { Request, RequestHandler } from 'express';
import { HttpError } from './http-error';

// Fixed one-minute windows in memory: enough to stop one token or one address from flooding the
// public tagging view. Several API processes would each count on their own (documented).

export interface RateLimitOptions {
  /** Requests per minute for one token. */
  perToken: number;
  /** Requests per minute from one address, whatever the token. */
  perAddress: number;
  /** Separates counters of different limiters. */
  name: string;
}

const WINDOW_MS = 60_000;

export function rateLimit(opts: RateLimitOptions): RequestHandler {
  const counts = new Map<string, number>();
  let windowStart = Date.now();
  const over = (key: string, max: number) => {
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    return n > max;
  };
  return (req: Request, res, next) => {
    const now = Date.now();
    if (now - windowStart >= WINDOW_MS) {
      counts.clear();
      windowStart = now;
    }
    const token = req.principal?.name ?? 'anonymous';
    const limited = over(`${opts.name}:t:${token}`, opts.perToken) || over(`${opts.name}:a:${req.ip ?? ''}`, opts.perAddress);
    if (limited) {
      res.set('Retry-After', String(Math.ceil((windowStart + WINDOW_MS - now) / 1000)));
      return next(new HttpError(429, 'too many requests: try again in a minute'));
    }
    next();
  };
}

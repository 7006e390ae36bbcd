import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Store, Principal, Role } from '../store';
import { caseLimited, seesCases } from '../usecases/case-access';
import { AuthFailures } from './auth-failures';
import { HttpError } from './http-error';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** Who may do what. Taggers are the public: they never reach evidence routes. */
export const CAN = {
  searchEvidence: ['analyst', 'reviewer', 'admin'],
  readAudit: ['admin'],
  /** Face descriptors, people and search by face: biometric data (docs/SECURITY.md). */
  readFaces: ['analyst', 'admin'],
  managePlaces: ['reviewer', 'admin'],
  review: ['reviewer', 'admin'],
  /** The public tagging view; reviewers and admins see what the public sees. */
  tagCrops: ['tagger', 'reviewer', 'admin'],
  watchRuns: ['analyst', 'reviewer', 'admin'],
  controlRuns: ['analyst', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

/** The token of an `Authorization: Bearer <token>` header; the scheme name is case-insensitive (RFC 9110). */
export function bearerToken(header: string | undefined): string {
  return /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '')?.[1] ?? '';
}

/** One record of failed authentications per store: every route's check shares its locks and counts. */
const failuresOf = new WeakMap<Store, AuthFailures>();
export function authFailures(store: Store): AuthFailures {
  let f = failuresOf.get(store);
  if (!f) failuresOf.set(store, (f = new AuthFailures(store.audit)));
  return f;
}

const retryAfter = (res: Response, ms: number) => res.set('Retry-After', String(Math.max(1, Math.ceil(ms / 1000))));

/**
 * Bearer-token authentication and a role check; refusals are audited too. Failed
 * authentication is throttled per address (api/auth-failures.ts): a locked address gets 429 for
 * a wrong or missing token, while a valid token still passes (tokens are 256-bit random: the lock
 * bounds what wrong ones cost, and one address cannot lock out the analysts behind it).
 */
export function requireRole(store: Store, allowed: readonly Role[]): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req.get('authorization'));
    const principal = token ? await store.tokens.principal(token) : null;
    if (!principal) {
      const failures = authFailures(store);
      const address = req.ip ?? '';
      const locked = token ? failures.lockedFor(address) : 0;
      const lock = await failures.fail(address, req.path, token ? 'unknown or revoked token' : 'no token');
      if (locked > 0) {
        retryAfter(res, locked);
        return next(new HttpError(429, 'too many failed authentications from this address: try again later'));
      }
      if (lock > 0) retryAfter(res, lock);
      return next(new HttpError(401, 'a valid bearer token is required'));
    }
    if (!allowed.includes(principal.role)) {
      await store.audit.write({ actor: principal.name, action: 'denied', target: req.path, detail: { role: principal.role }, from: req.ip ?? '' });
      return next(new HttpError(403, `the ${principal.role} role may not do this`));
    }
    req.principal = principal;
    if (caseLimited(principal)) {
      const refusal = await outsideCases(store, req);
      if (refusal) {
        await store.audit.write({ actor: actorOf(req), action: 'denied', target: req.path, detail: { reason: refusal.reason, cases: principal.cases }, from: req.ip ?? '' });
        return next(new HttpError(refusal.status, refusal.message));
      }
    }
    next();
  };
}

/**
 * Routes that keep a case-limited token inside its cases (usecases/case-access.ts): the image
 * routes check the image's cases here; the others take a case and check it themselves. Any other
 * route (stats over every case, runs, the audit...) refuses such a token: new routes are closed
 * to it until they are made case-aware and listed.
 */
export const CASE_AWARE_ROUTES = new Set([
  '/api/search', '/api/series', '/api/similar', '/api/places', '/api/me', '/api/me/settings', '/api/cases/:case/vics',
  '/api/images/:sha256', '/api/images/:sha256/links', '/api/images/:sha256/where', '/api/images/:sha256/thumbnail',
  '/api/images/:sha256/file', '/api/images/:sha256/tags',
]);

async function outsideCases(store: Store, req: Request): Promise<{ status: 403 | 404; message: string; reason: string } | null> {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route !== 'string' || !CASE_AWARE_ROUTES.has(route)) {
    return { status: 403, message: 'this token is limited to named cases, and this route reads across cases', reason: 'route not limited to cases' };
  }
  const sha256 = req.params.sha256;
  if (typeof sha256 === 'string' && /^[0-9a-f]{64}$/.test(sha256)) {
    const image = await store.images.get(sha256);
    // Answered as if it did not exist: a token of one case learns nothing of another's images.
    if (image && !seesCases(req.principal, image.cases)) return { status: 404, message: 'no such image', reason: 'image outside the token\'s cases' };
  }
  return null;
}

export function actorOf(req: Request): string {
  return req.principal ? `${req.principal.name} (${req.principal.role})` : 'anonymous';
}

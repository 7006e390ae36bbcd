import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Store, Principal, Role } from '../store';
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

/** Bearer-token authentication and a role check; refusals are audited too. */
export function requireRole(store: Store, allowed: readonly Role[]): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req.get('authorization'));
    const principal = token ? await store.tokens.principal(token) : null;
    if (!principal) {
      await store.audit.write({ actor: 'anonymous', action: 'denied', target: req.path, detail: { reason: token ? 'unknown or revoked token' : 'no token' }, from: req.ip ?? '' });
      return next(new HttpError(401, 'a valid bearer token is required'));
    }
    if (!allowed.includes(principal.role)) {
      await store.audit.write({ actor: principal.name, action: 'denied', target: req.path, detail: { role: principal.role }, from: req.ip ?? '' });
      return next(new HttpError(403, `the ${principal.role} role may not do this`));
    }
    req.principal = principal;
    next();
  };
}

export function actorOf(req: Request): string {
  return req.principal ? `${req.principal.name} (${req.principal.role})` : 'anonymous';
}

import { createHash, randomBytes } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { Principal, Role } from '../core/api-types';
import type { ClueDatabase, IndexSpec } from './database';

export { ROLES, type Principal, type Role } from '../core/api-types';

export interface TokenDoc {
  _id: string; // sha256 of the token: the token itself is never stored
  name: string;
  role: Role;
  createdAt: Date;
  revokedAt?: Date;
  revokedReason?: string;
  /** Limited to these cases (analysts only); absent: every case. */
  cases?: string[];
}

/** A name that an active token already has: the audit names actors by token name. */
export class TokenNameTakenError extends Error {}


const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** API bearer tokens. Only a token's SHA-256 is stored, so a token is shown once, at creation. */
export class TokenRepository {
  private readonly tokens: Collection<TokenDoc>;
  static readonly indexes: IndexSpec[] = [{ collection: 'tokens', index: { key: { name: 1 }, name: 'name' } }];

  constructor(db: ClueDatabase) {
    this.tokens = db.collection<TokenDoc>('tokens');
  }

  /**
   * Issues a token, shown once. Names are unique among active tokens, so that an actor in the
   * audit is one token at any time (a revoked token's name may be issued again; both the
   * revocation and the new token are audited).
   */
  async create(name: string, role: Role, opts: { cases?: string[] } = {}): Promise<string> {
    if (opts.cases && (role !== 'analyst' || opts.cases.length === 0)) throw new Error('only an analyst token may be limited to cases, and to one case at least');
    if (await this.tokens.findOne({ name, revokedAt: { $exists: false } }, { projection: { _id: 1 } })) {
      throw new TokenNameTakenError(`an active token is already named ${JSON.stringify(name)}: revoke it first or choose another name`);
    }
    const token = `clu_${randomBytes(32).toString('base64url')}`;
    await this.tokens.insertOne({ _id: digest(token), name, role, createdAt: new Date(), ...(opts.cases ? { cases: [...new Set(opts.cases)] } : {}) });
    return token;
  }

  /** The holder of a bearer token, or null for an unknown or revoked one (one `_id` lookup). */
  async principal(token: string): Promise<Principal | null> {
    if (!/^clu_[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const doc = await this.tokens.findOne({ _id: digest(token) });
    return doc && !doc.revokedAt ? { name: doc.name, role: doc.role, ...(doc.cases ? { cases: doc.cases } : {}) } : null;
  }

  async revoke(name: string, reason: string): Promise<number> {
    const res = await this.tokens.updateMany({ name, revokedAt: { $exists: false } }, { $set: { revokedAt: new Date(), revokedReason: reason } });
    return res.modifiedCount;
  }

  list(): Promise<Omit<TokenDoc, '_id'>[]> {
    return this.tokens.find({}, { projection: { _id: 0 } }).sort({ createdAt: 1 }).toArray();
  }
}

import { createHash, randomBytes } from 'node:crypto';
import type { Collection } from 'mongodb';

export const ROLES = ['analyst', 'reviewer', 'tagger', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenDoc {
  _id: string; // sha256 of the token: the token itself is never stored
  name: string;
  role: Role;
  createdAt: Date;
  revokedAt?: Date;
}

export interface Principal {
  name: string;
  role: Role;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** Issues a token; only its hash is kept, so it is shown once. */
export async function createToken(tokens: Collection<TokenDoc>, name: string, role: Role): Promise<string> {
  const token = `clu_${randomBytes(32).toString('base64url')}`;
  await tokens.insertOne({ _id: digest(token), name, role, createdAt: new Date() });
  return token;
}

export async function findToken(tokens: Collection<TokenDoc>, token: string): Promise<Principal | null> {
  if (!/^clu_[A-Za-z0-9_-]{43}$/.test(token)) return null;
  // `_id` alone: an index lookup on MongoDB, and on FerretDB a scan of a table of a few rows.
  const doc = await tokens.findOne({ _id: digest(token) });
  return doc && !doc.revokedAt ? { name: doc.name, role: doc.role } : null;
}

export async function revokeTokens(tokens: Collection<TokenDoc>, name: string): Promise<number> {
  const res = await tokens.updateMany({ name, revokedAt: { $exists: false } }, { $set: { revokedAt: new Date() } });
  return res.modifiedCount;
}

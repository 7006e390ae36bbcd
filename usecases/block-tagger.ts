import type { Store } from '../store';

/**
 * A reviewer blocks a tagger who floods the public view: the tagger's token is refused on every
 * public route from then on (the token itself stays; `clues token revoke` ends it). Only taggers
 * can be blocked: other roles are staff, whose tokens are revoked instead. The caller audits.
 */
export async function blockTagger(store: Pick<Store, 'tokens' | 'taggerBlocks'>, tagger: string, by: string, reason: string): Promise<{ ok: true } | { ok: false; status: 404 | 422; reason: string }> {
  const tokens = (await store.tokens.list()).filter((t) => t.name === tagger);
  if (tokens.length === 0) return { ok: false, status: 404, reason: 'no token has this name' };
  if (tokens.some((t) => t.role !== 'tagger')) return { ok: false, status: 422, reason: 'only taggers can be blocked; revoke a staff token with `clues token revoke`' };
  await store.taggerBlocks.block(tagger, by, reason);
  return { ok: true };
}

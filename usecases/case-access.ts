import type { Principal } from '../core/api-types';

// Cases as access boundaries: an analyst token may be limited to named cases (`clues token
// create --cases A,B`). Such a token sees an image only when the image belongs to one of its
// cases; every read that takes a case reads inside one of them; and routes that cannot tell
// cases apart refuse it (api/auth.ts keeps the list of those that can). A token without cases
// sees every case, as before. This is what sharing a store between agencies will rest on.

export class CaseAccessError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404,
  ) {
    super(message);
  }
}

type Scope = Pick<Principal, 'cases'> | undefined;

/** True when the holder is limited to named cases. */
export const caseLimited = (p: Scope): boolean => p?.cases !== undefined;

/** Whether the holder may see an image of these cases. */
export function seesCases(p: Scope, cases: readonly string[] | undefined): boolean {
  if (!caseLimited(p)) return true;
  return (cases ?? []).some((c) => p!.cases!.includes(c));
}

/**
 * The case a case-filtered read (search, series, similar images, an export) must use: the one
 * asked for, if the holder may; the holder's only case when none is asked; refused otherwise.
 * Undefined for a holder limited to no case (every case).
 *
 * @example caseFor({ cases: ['op-tulip'] }, undefined) // 'op-tulip'
 */
export function caseFor(p: Scope, asked: string | undefined): string | undefined {
  if (!caseLimited(p)) return asked;
  const cases = p!.cases!;
  if (asked !== undefined) {
    if (!cases.includes(asked)) throw new CaseAccessError(`this token is limited to the case(s) ${cases.join(', ')}`, 403);
    return asked;
  }
  if (cases.length === 1) return cases[0];
  throw new CaseAccessError(`this token is limited to the cases ${cases.join(', ')}: name one of them (case=...)`, 400);
}

/** The items whose cases the holder may see (linked images, hits). */
export function visibleTo<T extends { cases?: readonly string[] }>(p: Scope, items: T[]): T[] {
  return caseLimited(p) ? items.filter((i) => seesCases(p, i.cases)) : items;
}

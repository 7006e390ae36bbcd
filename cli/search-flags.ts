import { ZodError } from 'zod';
import { UserError } from './user-error';
import { SEARCH_FIELDS, searchQuerySchema, type SearchQuery } from '../core/search-query';

// `clues search` flags, derived from the one list of search fields (core/search-fields.ts):
// `--<field> VALUE` for each, and `--fuzzy` / `--prefix` as short forms of `--mode`.

/** parseArgs options for every search field. */
export const SEARCH_OPTIONS = {
  ...Object.fromEntries(SEARCH_FIELDS.map((f) => [f.name, { type: 'string' as const }])),
  fuzzy: { type: 'boolean' as const, default: false },
  prefix: { type: 'boolean' as const, default: false },
};

const placeholder = (name: string) => name.toUpperCase();

export const SEARCH_USAGE = `search ${SEARCH_FIELDS.map((f) => (f.name === 'mode' ? '[--fuzzy|--prefix]' : `[--${f.name} ${placeholder(f.name)}]`)).join(' ')} [--json]`;

/** The search the flags ask for, validated as the API validates it; a usage error otherwise. */
export function searchFromFlags(values: Record<string, unknown>): SearchQuery {
  if (values.fuzzy && values.prefix) throw new UserError('--fuzzy and --prefix exclude each other');
  const given: Record<string, unknown> = {};
  for (const f of SEARCH_FIELDS) if (typeof values[f.name] === 'string') given[f.name] = values[f.name];
  if (values.fuzzy) given.mode = 'fuzzy';
  if (values.prefix) given.mode = 'prefix';
  try {
    return searchQuerySchema.parse(given);
  } catch (err) {
    if (err instanceof ZodError) {
      const why = err.issues.map((i) => (i.path.length ? `--${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
      throw new UserError(`${why} (usage: clues ${SEARCH_USAGE})`, { cause: err });
    }
    throw err;
  }
}

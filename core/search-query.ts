import { z } from 'zod';
import { DATE_PATTERN, SEARCH_FIELDS, SEARCHABLE, type SearchField, type SearchQuery } from './search-fields';

export { CRITERIA, SEARCH_FIELDS, TEXT_MODES, type SearchQuery, type TermKind, type TextMode } from './search-fields';

function zodOf(f: SearchField): z.ZodType {
  switch (f.type) {
    case 'criterion':
    case 'filter':
      return z.string().trim().min(1).max(f.maxLength).optional().describe(f.help);
    case 'date':
      return z.string().trim().regex(DATE_PATTERN, 'expected a year, a month or a day: 2019, 2019-06 or 2019-06-14').optional().describe(f.help);
    case 'choice':
      return z.enum(f.values as [string, ...string[]]).default(f.default).describe(f.help);
    case 'number':
      return z.coerce.number().int().min(f.min).max(f.max).default(f.default).describe(f.help);
  }
}

/** Validation of a search from any door (query string, CLI flags), derived from SEARCH_FIELDS. */
export const searchQuerySchema = z
  .strictObject(Object.fromEntries(SEARCH_FIELDS.map((f) => [f.name, zodOf(f)])))
  .refine((q) => SEARCHABLE.some((name) => q[name] !== undefined), { message: `give at least one of ${SEARCHABLE.join(', ')}` })
  .refine((q) => !q.from || !q.to || String(q.from) <= String(q.to).padEnd(String(q.from).length, '9'), { message: 'from is after to' }) as unknown as z.ZodType<SearchQuery, Record<string, unknown>>;

/** A search with the defaults filled in, for code that builds one (tests, benchmarks). */
export function searchQuery(q: Partial<SearchQuery>): SearchQuery {
  return searchQuerySchema.parse(Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)));
}

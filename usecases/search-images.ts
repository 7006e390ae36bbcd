import type { SearchQuery } from '../core/search-fields';
import type { Store } from '../store';
import type { SearchPage } from '../store/search';
import { caseFor } from './case-access';

/**
 * A search from any door (API, CLI), written to the audit log with what it asked and found. A
 * holder limited to cases searches inside one of them (usecases/case-access.ts).
 */
export async function searchImages(store: Pick<Store, 'search' | 'audit'>, asked: SearchQuery, who: { actor: string; from?: string; cases?: string[] }): Promise<SearchPage> {
  const inCase = caseFor(who, asked.case);
  const q: SearchQuery = inCase !== undefined ? { ...asked, case: inCase } : asked;
  const page = await store.search.page(q);
  const criteria = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
  await store.audit.write({ actor: who.actor, action: 'search', detail: { ...criteria, results: page.total }, ...(who.from !== undefined ? { from: who.from } : {}) });
  return page;
}

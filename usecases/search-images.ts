import type { SearchQuery } from '../core/search-fields';
import type { Store } from '../store';
import type { SearchPage } from '../store/search';

/** A search from any door (API, CLI), written to the audit log with what it asked and found. */
export async function searchImages(store: Pick<Store, 'search' | 'audit'>, q: SearchQuery, who: { actor: string; from?: string }): Promise<SearchPage> {
  const page = await store.search.page(q);
  const asked = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
  await store.audit.write({ actor: who.actor, action: 'search', detail: { ...asked, results: page.total }, ...(who.from !== undefined ? { from: who.from } : {}) });
  return page;
}

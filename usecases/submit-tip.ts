import type { Store } from '../store';

export interface TipInput {
  cropId: string;
  what: string;
  where?: string;
  brand?: string;
  note?: string;
  /** How the tagger may be reached: kept apart, for reviewers, for `retentionDays` at most. */
  contact?: string;
  by: string;
}

/**
 * A tagger's tip on a public object: the answer (with its note) is stored with the tips, the
 * contact details apart. Null when the public may not tip on the object (gone, located, withdrawn).
 */
export async function submitTip(store: Pick<Store, 'crops' | 'tipContacts'>, tip: TipInput, retentionDays: number): Promise<{ id: string } | null> {
  if (!(await store.crops.published(tip.cropId))) return null;
  const { contact, ...rest } = tip;
  const doc = await store.crops.addTag({ ...rest, ...(contact ? { hasContact: true } : {}) });
  if (contact) await store.tipContacts.save(doc._id, tip.cropId, contact, retentionDays);
  return { id: doc._id };
}

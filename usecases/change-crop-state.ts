import type { CropState, CropStateChange } from '../core/api-types';
import type { ClueInput } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import type { Store } from '../store';
import { CLOSED_STATES, stateOf } from '../store/crops';
import type { PublicCropDoc } from '../store/documents';
import { findCountry } from './countries';

/**
 * Where an object may go from each state. A reviewer puts it under review before giving an
 * outcome; worldwide can still end located or unresolved; a located object can be reopened
 * (under review) if the outcome was wrong; a withdrawn one comes back only as open.
 */
export const NEXT_STATES: Record<CropState, CropState[]> = {
  open: ['under-review', 'withdrawn'],
  'under-review': ['open', 'located', 'worldwide', 'unresolved', 'withdrawn'],
  worldwide: ['under-review', 'located', 'unresolved', 'withdrawn'],
  unresolved: ['under-review', 'withdrawn'],
  located: ['under-review', 'withdrawn'],
  withdrawn: ['open'],
};

export interface StateRequest {
  to: CropState;
  reason: string;
  /** Required for `located`: an ISO 3166 code or an English country name. */
  country?: string;
  by: string;
}

export type StateOutcome =
  | { ok: true; crop: PublicCropDoc; change: CropStateChange; clueIds: string[]; contactsRemoved: number }
  | { ok: false; status: 400 | 404 | 409; reason: string };

/** The outcome as clues on the source image, so search (and any ranking by place) can use it. */
function outcomeClues(crop: PublicCropDoc, change: CropStateChange): ClueInput[] {
  const what = change.to === 'located' ? `located in ${change.country}` : change.to === 'worldwide' ? 'published worldwide' : 'unresolved';
  const value = `${crop._id} ${what}`;
  const detail = { source: 'tao-outcome', by: change.by, at: change.at.toISOString(), cropId: crop._id, state: change.to, reason: change.reason, label: crop.label, ...(change.countryCode ? { country: change.country, countryCode: change.countryCode } : {}) };
  const clues: ClueInput[] = [{ type: 'tag', value, tokens: uniqueTokens(value), box: crop.cropBox, detail: { ...detail, field: 'tao-outcome' } }];
  if (change.to === 'located') clues.push({ type: 'location', value: change.country!, tokens: uniqueTokens(`${change.country} ${change.countryCode}`), detail });
  return clues;
}

/**
 * A reviewer changes an object's state, with a reason. An outcome (located, worldwide,
 * unresolved) becomes clues on the source image; closing it (located, withdrawn) removes the
 * taggers' contact details. The caller audits.
 */
export async function changeCropState(store: Pick<Store, 'crops' | 'images' | 'tipContacts'>, id: string, req: StateRequest): Promise<StateOutcome> {
  // Every state change says why: the audit and the object's history carry it.
  if (req.reason.trim().length < 3) return { ok: false, status: 400, reason: 'a state change needs a reason (3 characters or more)' };
  const crop = await store.crops.get(id);
  if (!crop) return { ok: false, status: 404, reason: 'no such crop' };
  const from = stateOf(crop);
  if (!NEXT_STATES[from].includes(req.to)) return { ok: false, status: 409, reason: `an object that is ${from} cannot become ${req.to}; it can become ${NEXT_STATES[from].join(', ')}` };
  const country = req.to === 'located' ? findCountry(req.country ?? '') : null;
  if (req.to === 'located' && !country) return { ok: false, status: 400, reason: 'a located object needs its country: an ISO 3166 code (PT) or an English name (Portugal)' };
  const change: CropStateChange = { from, to: req.to, reason: req.reason, ...(country ? { country: country.name, countryCode: country.code } : {}), by: req.by, at: new Date() };
  let solvedWithPublicHelp: boolean | undefined;
  if (req.to === 'located') solvedWithPublicHelp = crop.accepted.length > 0 || (await store.crops.tagsOf(id)).some((t) => t.triage?.verdict === 'useful');
  const set = { ...(country ? { country: country.name, countryCode: country.code } : {}), ...(solvedWithPublicHelp !== undefined ? { solvedWithPublicHelp } : {}) };
  if (!(await store.crops.changeState(crop, change, set))) return { ok: false, status: 409, reason: 'the object changed meanwhile: load it again' };
  const clueIds = ['located', 'worldwide', 'unresolved'].includes(req.to) ? await store.images.addClues(crop.sha256, 'tags', outcomeClues(crop, change)) : [];
  const contactsRemoved = CLOSED_STATES.includes(req.to) ? await store.tipContacts.removeOf(id) : 0;
  return { ok: true, crop: { ...crop, status: req.to, ...set, history: [...(crop.history ?? []), change] }, change, clueIds, contactsRemoved };
}

import type { TipEntry, TipTriage, TipVerdict } from '../core/api-types';
import type { Store } from '../store';
import { entryTips, mergeTips } from '../store/tip-entries';
import { crowdClues } from './crowd-clues';

export interface TriageRequest {
  verdict: TipVerdict;
  reason?: string;
  /** For `duplicate`: the entry it repeats. */
  of?: string;
  by: string;
}

/**
 * A reviewer's verdict on a tip applies to its whole merged entry. A useful tip becomes clues on
 * the source image (tag, brand tag, location) with its provenance, as an accepted answer does; a
 * clue once made stays if the verdict later changes (the audit keeps both). Null when there is
 * no such object or tip.
 */
export async function triageTip(store: Pick<Store, 'crops' | 'images'>, cropId: string, tipId: string, req: TriageRequest): Promise<{ entry: TipEntry; clueIds: string[] } | null> {
  const crop = await store.crops.get(cropId);
  if (!crop) return null;
  const tips = entryTips(await store.crops.tagsOf(cropId), tipId);
  if (tips.length === 0) return null;
  const first = tips[0]!;
  const at = new Date();
  let clueIds: string[] = [];
  if (req.verdict === 'useful') {
    const provenance = { source: 'crowd', kind: 'tip', cropId, entry: first._id, count: tips.length, taggers: new Set(tips.map((t) => t.by)).size, votes: tips.reduce((n, t) => n + t.votes, 0), reviewer: req.by, acceptedAt: at.toISOString(), label: crop.label };
    clueIds = await store.images.addClues(crop.sha256, 'tags', crowdClues(crop, { answer: first.what, ...(first.where ? { where: first.where } : {}), ...(first.brand ? { brand: first.brand } : {}) }, provenance));
  }
  const triage: TipTriage = { verdict: req.verdict, by: req.by, at, ...(req.reason ? { reason: req.reason } : {}), ...(req.of ? { of: req.of } : {}), ...(clueIds.length ? { clueIds } : {}) };
  await store.crops.triage(cropId, tips.map((t) => t._id), triage);
  const [entry] = mergeTips(tips.map((t) => ({ ...t, triage })));
  return { entry: entry!, clueIds };
}

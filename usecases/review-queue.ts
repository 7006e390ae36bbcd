import type { ReviewObject, TriageEntry } from '../core/api-types';
import type { Store } from '../store';
import { aggregateAnswers, stateOf } from '../store/crops';
import type { CrowdTagDoc, PublicCropDoc } from '../store/documents';
import { mergeTips, sortQueue, tipsPerTagger } from '../store/tip-entries';
import { NEXT_STATES } from './change-crop-state';

export interface ReviewOptions {
  /** Contact details are joined in for the reviewer role only. */
  withContacts: boolean;
  /** Located and withdrawn objects too. */
  includeClosed?: boolean;
}

async function load(store: Pick<Store, 'crops' | 'tipContacts' | 'taggerBlocks'>, opts: ReviewOptions) {
  const crops = await store.crops.forReview(opts.includeClosed);
  const ids = crops.map((c) => c._id);
  const [tips, contacts, blocks] = await Promise.all([store.crops.tagsOfCrops(ids), opts.withContacts ? store.tipContacts.ofCrops(ids) : undefined, store.taggerBlocks.list()]);
  const byCrop = new Map<string, CrowdTagDoc[]>();
  for (const t of tips) byCrop.set(t.cropId, [...(byCrop.get(t.cropId) ?? []), t]);
  const merge = (crop: PublicCropDoc) => mergeTips(byCrop.get(crop._id) ?? [], { ...(contacts ? { contacts } : {}), blocked: new Set(blocks.map((b) => b.tagger)) });
  return { crops, byCrop, merge };
}

/** The objects reviewers work on, each with its state, grouped answers and merged tips. */
export async function reviewObjects(store: Pick<Store, 'crops' | 'tipContacts' | 'taggerBlocks'>, opts: ReviewOptions): Promise<ReviewObject[]> {
  const { crops, byCrop, merge } = await load(store, opts);
  return crops.map((crop) => {
    const state = stateOf(crop);
    const tips = merge(crop);
    return {
      id: crop._id,
      label: crop.label,
      question: crop.question,
      sha256: crop.sha256,
      clueId: crop.clueId,
      publishedBy: crop.publishedBy,
      publishedAt: crop.publishedAt,
      state,
      ...(crop.country ? { country: crop.country } : {}),
      next: NEXT_STATES[state],
      history: crop.history ?? [],
      accepted: crop.accepted,
      answers: aggregateAnswers(byCrop.get(crop._id) ?? [], crop.accepted),
      tips,
      taggers: tipsPerTagger(tips),
    };
  });
}

/** Every open object's merged tips in one queue: new first, then those needing follow-up. */
export async function triageQueue(store: Pick<Store, 'crops' | 'tipContacts' | 'taggerBlocks'>, opts: ReviewOptions): Promise<TriageEntry[]> {
  const { crops, merge } = await load(store, opts);
  return sortQueue(crops.flatMap((crop) => merge(crop).map((e) => ({ ...e, label: crop.label, state: stateOf(crop) }))));
}

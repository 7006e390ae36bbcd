import type { TaoExport } from '../core/api-types';
import type { Store } from '../store';
import { stateOf } from '../store/crops';
import { mergeKey } from '../store/tip-entries';

const OUTCOMES = ['located', 'worldwide', 'unresolved'] as const;

/**
 * A case's Trace-an-Object objects for the receiving country: each object, its state and outcome
 * with their history, the accepted answers, and every tip with its note and verdict. Contact
 * details are never read here; taggers are pseudonyms (T1, T2…) that hold within one export.
 */
export async function exportCaseTao(store: Pick<Store, 'images' | 'crops'>, caseId: string): Promise<TaoExport> {
  const images = await store.images.caseImages(caseId);
  const crops = await store.crops.ofImages(images.map((i) => i._id));
  const tips = await store.crops.tagsOfCrops(crops.map((c) => c._id));
  const pseudonyms = new Map<string, string>();
  const pseudonym = (by: string) => pseudonyms.get(by) ?? pseudonyms.set(by, `T${pseudonyms.size + 1}`).get(by)!;
  return {
    format: 'clues-tao-export',
    version: 1,
    case: caseId,
    exportedAt: new Date(),
    objects: crops.map((crop) => {
      const state = stateOf(crop);
      const last = [...(crop.history ?? [])].reverse().find((h) => (OUTCOMES as readonly string[]).includes(h.to));
      const own = tips.filter((t) => t.cropId === crop._id);
      const entries = new Map<string, string>();
      return {
        id: crop._id,
        label: crop.label,
        question: crop.question,
        sha256: crop.sha256,
        cropBox: crop.cropBox,
        publishedAt: crop.publishedAt,
        state,
        // The outcome stands while the object is in it (a reopened object has none yet).
        outcome: last && last.to === state ? { state: last.to as (typeof OUTCOMES)[number], ...(last.country ? { country: last.country, countryCode: last.countryCode! } : {}), reason: last.reason, by: last.by, at: last.at } : null,
        history: crop.history ?? [],
        acceptedAnswers: crop.accepted.map(({ answer, count, where, brand, by, at }) => ({ answer, count, ...(where ? { where } : {}), ...(brand ? { brand } : {}), by, at })),
        tips: own.map((t) => {
          const key = mergeKey(t);
          if (!entries.has(key)) entries.set(key, t._id);
          return { id: t._id, entry: entries.get(key)!, tagger: pseudonym(t.by), answer: t.what, ...(t.where ? { where: t.where } : {}), ...(t.brand ? { brand: t.brand } : {}), ...(t.note ? { note: t.note } : {}), at: t.at, votes: t.votes, ...(t.triage ? { verdict: t.triage.verdict } : {}) };
        }),
      };
    }),
  };
}

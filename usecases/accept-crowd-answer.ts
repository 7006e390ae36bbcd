import type { Store } from '../store';
import { aggregateAnswers, type AnswerGroup } from '../store/crops';
import { crowdClues } from './crowd-clues';

/**
 * A reviewer accepts one grouped answer to a published crop: it becomes a tag clue on the source
 * image (and a brand tag, and a location clue when the crowd said where), with its provenance:
 * crowd, counts, crop, reviewer, time; its tips not yet triaged are marked useful. Null if there
 * is no such crop or answer.
 */
export async function acceptCrowdAnswer(store: Pick<Store, 'crops' | 'images'>, cropId: string, key: string, reviewer: string): Promise<{ clueIds: string[]; answer: AnswerGroup } | null> {
  const crop = await store.crops.get(cropId);
  if (!crop) return null;
  const tips = await store.crops.tagsOf(cropId);
  const answer = aggregateAnswers(tips).find((a) => a.key === key);
  if (!answer) return null;
  const at = new Date();
  const provenance = { source: 'crowd', cropId, count: answer.count, submissions: answer.submissions, votes: answer.votes, reviewer, acceptedAt: at.toISOString(), label: crop.label };
  const where = answer.where[0]?.value;
  const brand = answer.brand[0]?.value;
  const clueIds = await store.images.addClues(crop.sha256, 'tags', crowdClues(crop, { answer: answer.answer, ...(where ? { where } : {}), ...(brand ? { brand } : {}) }, provenance));
  await store.crops.recordAcceptance(cropId, { answer: answer.answer, key, count: answer.count, ...(where ? { where } : {}), ...(brand ? { brand } : {}), by: reviewer, at, clueIds });
  // Its tips need no triage any more: the reviewer has judged them.
  const untriaged = tips.filter((t) => t.key === key && !t.triage).map((t) => t._id);
  if (untriaged.length) await store.crops.triage(cropId, untriaged, { verdict: 'useful', by: reviewer, at, reason: 'answer accepted', clueIds });
  return { clueIds, answer: { ...answer, accepted: true } };
}

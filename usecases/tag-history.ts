export type { TagHistory } from '../core/api-types';
import { uniqueTokens } from '../core/tokens';
import type { Store } from '../store';
import type { TagHistory } from '../core/api-types';
import { aggregateAnswers } from '../store/crops';

export async function tagHistory(store: Pick<Store, 'crops' | 'images'>, sha256: string): Promise<TagHistory> {
  const tags = (await store.images.cluesOf(sha256)).filter((c) => c.stage === 'tags');
  const crops = await store.crops.ofImage(sha256);
  return {
    tags,
    crops: await Promise.all(
      crops.map(async (crop) => {
        const list = await store.crops.tagsOf(crop._id);
        // Who tagged stays with the reviewers' tools, not in the evidence view.
        return { crop, answers: aggregateAnswers(list, crop.accepted), submissions: list.map(({ by: _by, ...t }) => t) };
      }),
    ),
  };
}

/** An analyst's own name for something in the image, as a tag clue with who gave it. */
export function addAnalystTag(store: Pick<Store, 'images'>, sha256: string, value: string, by: string): Promise<string> {
  return store.images.addClues(sha256, 'tags', [{ type: 'tag', value, tokens: uniqueTokens(value), detail: { source: 'analyst', by, at: new Date().toISOString() } }]).then((ids) => ids[0]!);
}

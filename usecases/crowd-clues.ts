import type { ClueInput } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import type { PublicCropDoc } from '../store/documents';

/**
 * What the public said about an object, as clues on its source image: a `tag` (the answer, on the
 * crop's box), a brand `tag` (detail.field = 'brand') and a `location`, each carrying its
 * provenance. Used when a reviewer accepts a grouped answer or marks a tip useful.
 */
export function crowdClues(crop: Pick<PublicCropDoc, 'cropBox'>, said: { answer: string; where?: string; brand?: string }, provenance: Record<string, unknown>): ClueInput[] {
  const { answer, where, brand } = said;
  const clues: ClueInput[] = [
    { type: 'tag', value: answer, tokens: uniqueTokens(answer), box: crop.cropBox, detail: { ...provenance, ...(brand ? { brand } : {}), ...(where ? { where } : {}) } },
  ];
  if (brand) clues.push({ type: 'tag', value: brand, tokens: uniqueTokens(brand), box: crop.cropBox, detail: { ...provenance, field: 'brand' } });
  if (where) clues.push({ type: 'location', value: where, tokens: uniqueTokens(where), detail: provenance });
  return clues;
}

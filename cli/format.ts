import type { SimilarHit } from '../client/similar-images';
import type { SearchHit } from '../store/clue-store';

export function formatSearch(hits: SearchHit[]): string {
  if (hits.length === 0) return 'no images match';
  return hits
    .map((h) => {
      const matched = [...new Set(h.matches.map((m) => `${m.type}:"${m.value}"`))].slice(0, 4).join(', ');
      return `${h.score.toFixed(2)}  ${h.path}\n      sha256 ${h.sha256}  matched ${matched}`;
    })
    .join('\n');
}

export function formatSimilar(hits: SimilarHit[]): string {
  if (hits.length === 0) return 'no similar images';
  return hits.map((h) => `${h.score.toFixed(2)}  ${h.tier.padEnd(14)} ${h.path}  (${h.reason})`).join('\n');
}

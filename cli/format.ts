import type { SimilarHit } from '../usecases/similar-images';
import type { SearchHit } from '../store';

export function formatSearch(hits: SearchHit[]): string {
  if (hits.length === 0) return 'no images match';
  return hits
    .map((h) => {
      // Matched words are marked «like this» inside the clue they were found in.
      const mark = (m: SearchHit['matches'][number]) => m.highlights.reduce((v, w) => v.replace(w.text, `«${w.text}»`), m.value);
      const matched = [...new Set(h.matches.map((m) => `${m.type}:"${mark(m)}"`))].slice(0, 4).join(', ');
      return `${h.score.toFixed(2)}  ${h.path}\n      sha256 ${h.sha256}  matched ${matched}`;
    })
    .join('\n');
}

export function formatSimilar({ hits, skipped }: { hits: SimilarHit[]; skipped: { path: string; reason: string }[] }): string {
  const lines = hits.map((h) => `${h.score.toFixed(2)}  ${h.tier.padEnd(14)} ${h.path}  (${h.reason})`);
  if (hits.length === 0) lines.push('no similar images');
  for (const s of skipped) lines.push(`skipped  ${s.path}: ${s.reason}`);
  return lines.join('\n');
}

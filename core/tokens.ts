/**
 * Search tokens: Unicode-normalised, accents stripped, lower case, split on anything that is not a
 * letter or digit. The same function runs at indexing and at query time, so they always agree.
 * tokens('Café-Wivenhoe  ROAD!') -> ['cafe', 'wivenhoe', 'road']
 */
export function tokens(text: string, minLength = 1): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length >= minLength);
}

export function uniqueTokens(text: string, minLength = 1): string[] {
  return [...new Set(tokens(text, minLength))];
}

/** One search token of a value's letters and digits alone, lower case: a plate `AB12 CDE` is `ab12cde`. */
export const compactToken = (text: string): string => text.normalize('NFC').replace(/[^\p{L}\p{N}]/gu, '').toLowerCase();

/** Character trigrams of a token, padded like pg_trgm: 'cat' -> '  c', ' ca', 'cat', 'at '. */
export function trigrams(token: string): string[] {
  const padded = `  ${token} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return [...out];
}

/** Shared trigrams over all trigrams of the two tokens (0..1). */
export function trigramSimilarity(a: string, b: string): number {
  const ga = new Set(trigrams(a));
  const gb = trigrams(b);
  const shared = gb.filter((g) => ga.has(g)).length;
  return shared / (ga.size + gb.length - shared);
}

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Trigram similarity enough on its own for a fuzzy match. */
export const FUZZY_MIN_SIMILARITY = 0.45;
/** Edits allowed for a fuzzy match: one per 3.5 letters of the query word, at least one. */
export const fuzzyMaxEdits = (query: string) => Math.max(1, Math.floor(query.length / 3.5));

/**
 * How well a stored token answers a fuzzy query token, 0 when it does not. OCR misreads letters
 * ('h' as 'li', 'rn' as 'm'), so a token matches within one edit per 3.5 letters (at least one),
 * or with enough shared trigrams: 'wivenhoe' finds 'wivenlioe' (2 edits).
 */
export function fuzzyScore(query: string, token: string): number {
  if (query === token) return 1;
  const sim = trigramSimilarity(query, token);
  // Lengths further apart than the edits allowed cannot be within them: no distance needed.
  if (sim < FUZZY_MIN_SIMILARITY && Math.abs(query.length - token.length) > fuzzyMaxEdits(query)) return 0;
  const edits = levenshtein(query, token);
  if (edits > fuzzyMaxEdits(query) && sim < FUZZY_MIN_SIMILARITY) return 0;
  return Math.max(sim, 1 - edits / Math.max(query.length, token.length));
}

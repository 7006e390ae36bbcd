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

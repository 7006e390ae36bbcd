import { describe, expect, it } from 'vitest';
import { fuzzyScore, levenshtein, tokens, trigrams, uniqueTokens } from '../core/tokens';

describe('fuzzy matching', () => {
  it('when OCR misreads letters, then the word still matches; unrelated words do not', () => {
    expect(fuzzyScore('wivenhoe', 'wivenlioe')).toBeGreaterThan(0.6);
    expect(fuzzyScore('miramar', 'mirarnar')).toBeGreaterThan(0.6);
    expect(fuzzyScore('wivenhoe', 'winchester')).toBe(0);
    expect(fuzzyScore('cafe', 'cake')).toBeGreaterThan(0); // short words allow one edit
    expect(fuzzyScore('cafe', 'cart')).toBe(0);
  });

  it('when trigrams are taken, then they are padded at both ends', () => {
    expect(trigrams('cat')).toEqual(['  c', ' ca', 'cat', 'at ']);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
  });
});

describe('search tokens', () => {
  it('when text has case, accents and punctuation, then tokens are plain lower-case words', () => {
    expect(tokens('Café-WIVENHOE  road!')).toEqual(['cafe', 'wivenhoe', 'road']);
    expect(tokens('Straße № 5')).toEqual(['straße', 'no', '5']);
  });

  it('when a minimum length is given, then shorter tokens are dropped and repeats collapse', () => {
    expect(uniqueTokens('a b OK ok x1', 2)).toEqual(['ok', 'x1']);
  });
});

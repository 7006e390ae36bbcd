import { describe, expect, it } from 'vitest';
import { tokens, uniqueTokens } from '../core/tokens';

describe('search tokens', () => {
  it('when text has case, accents and punctuation, then tokens are plain lower-case words', () => {
    expect(tokens('Café-WIVENHOE  road!')).toEqual(['cafe', 'wivenhoe', 'road']);
    expect(tokens('Straße № 5')).toEqual(['straße', 'no', '5']);
  });

  it('when a minimum length is given, then shorter tokens are dropped and repeats collapse', () => {
    expect(uniqueTokens('a b OK ok x1', 2)).toEqual(['ok', 'x1']);
  });
});

import { describe, expect, it } from 'vitest';
import { firstRanked } from '../store/search';

describe('ranking the first page of many candidates', () => {
  it('when there are far more candidates than shown, then the bounded heap gives exactly the sorted prefix, ties included', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // Scores rounded to three decimals, as search rounds them: many ties, broken by the id.
    const items = Array.from({ length: 20_000 }, (_, i) => ({ id: `img-${(i * 7919) % 20_000}`, score: Math.round(rand() * 1000) / 1000 }));
    const before = (a: (typeof items)[0], b: (typeof items)[0]) => b.score - a.score || (a.id < b.id ? -1 : 1);
    for (const k of [1, 20, 120, 520]) expect(firstRanked(items, k, before)).toEqual([...items].sort(before).slice(0, k));
  });

  it('when there are fewer candidates than asked for, then all come back in order', () => {
    expect(firstRanked([3, 1, 2], 20, (a, b) => a - b)).toEqual([1, 2, 3]);
    expect(firstRanked([], 20, (a: number, b: number) => a - b)).toEqual([]);
  });
});

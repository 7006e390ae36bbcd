import type { EvidenceSource, CountryEvidence } from './types';
import { logOdds, MAX_COUNTRIES_PER_OBSERVATION, MIN_SHARE } from './weights';

const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** English name of an ISO 3166-1 alpha-2 code ('PL' -> 'Poland'), from Node's ICU. */
export function countryName(code: string): string {
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

export type Observation = Omit<CountryEvidence, 'kind' | 'value' | 'share' | 'weight'>;

/**
 * One observation that speaks for one or more countries, as one evidence item per country.
 * `shares` need not sum to 1 (an observation may leave room for countries it does not name);
 * tiny shares are dropped.
 */
export function countryEvidence(source: EvidenceSource, shares: Record<string, number>, base: Omit<Observation, 'source'>, reliability = 1): CountryEvidence[] {
  const kept = Object.entries(shares)
    .filter(([, s]) => s >= MIN_SHARE)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  // Cut at the limit, but never between countries with the same share (an even split stays whole).
  const floor = kept[MAX_COUNTRIES_PER_OBSERVATION - 1]?.[1] ?? 0;
  return kept
    .filter(([, s], i) => i < MAX_COUNTRIES_PER_OBSERVATION || s >= floor)
    .map(([value, share]) => ({ kind: 'country', source, value, share: round(share), weight: round(logOdds(source, share, reliability)), ...base }));
}

/** Equal shares among a list of countries. */
export function evenly(countries: readonly string[]): Record<string, number> {
  return Object.fromEntries(countries.map((c) => [c, 1 / countries.length]));
}

export const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

import { countryName, round } from './countries';
import type { CountryEvidence, CountryScore, PlaceEvidence, RegionScore, TimeEstimate, TimeEvidence } from './types';
import { COUNTRY_COUNT, GROUP_CAPS, REPEAT_FACTOR, SOURCES, type EvidenceGroup } from './weights';

// Adding the evidence up: log-odds per country, capped per source and per group (where/weights.ts);
// places by the weight of what names them; the time window by intersecting windows strongest first.

const DAY = 86_400_000;
const MAX_AGAINST = 5;
const MAX_REGIONS = 10;

const groupOf = (e: { source: CountryEvidence['source']; inherited?: boolean }): EvidenceGroup => (e.inherited ? 'inherited' : SOURCES[e.source].group);

/**
 * A country's score. Within a source, the strongest item counts whole and each further one by
 * REPEAT_FACTOR (ten lines of the same language are not ten independent witnesses), up to the
 * source's cap; sources add up within their group, up to the group's cap; groups add up.
 */
export function countryScore(items: CountryEvidence[], capFactor = 1): number {
  const bySource = new Map<string, { group: EvidenceGroup; cap: number; weights: number[] }>();
  for (const e of items) {
    const key = `${e.inherited ? 'inherited:' : ''}${e.source}`;
    const s = bySource.get(key) ?? { group: groupOf(e), cap: SOURCES[e.source].cap * capFactor, weights: [] };
    s.weights.push(e.weight);
    bySource.set(key, s);
  }
  const byGroup = new Map<EvidenceGroup, number>();
  for (const s of bySource.values()) {
    const [first = 0, ...rest] = s.weights.sort((a, b) => b - a);
    const sum = first + REPEAT_FACTOR * rest.reduce((a, b) => a + b, 0);
    byGroup.set(s.group, (byGroup.get(s.group) ?? 0) + Math.min(s.cap, sum));
  }
  let score = 0;
  for (const [g, sum] of byGroup) score += Math.min(GROUP_CAPS[g] * capFactor, sum);
  return score;
}

/** Countries with evidence, best first, each with the evidence for it and the strongest against. */
export function rankCountries(evidence: CountryEvidence[], capFactor = 1): CountryScore[] {
  const byCountry = new Map<string, CountryEvidence[]>();
  for (const e of evidence) if (e.weight > 0) byCountry.set(e.value, [...(byCountry.get(e.value) ?? []), e]);
  const observations = new Map<string, CountryEvidence[]>();
  for (const e of evidence) if (e.weight > 0) observations.set(obsKey(e), [...(observations.get(obsKey(e)) ?? []), e]);
  const scored = [...byCountry].map(([country, items]) => ({ country, items, score: countryScore(items, capFactor) }));
  const others = COUNTRY_COUNT - scored.length;
  const max = Math.max(0, ...scored.map((s) => s.score));
  const total = scored.reduce((a, s) => a + Math.exp(s.score - max), 0) + Math.max(0, others) * Math.exp(-max);
  return scored
    .map(({ country, items, score }) => ({
      country,
      name: countryName(country),
      score: round(score),
      probability: round(Math.exp(score - max) / total, 4),
      for: [...items].sort((a, b) => b.weight - a.weight),
      against: [...observations.values()]
        .filter((obs) => !obs.some((e) => e.value === country))
        .map((obs) => obs.reduce((a, b) => (b.weight > a.weight ? b : a)))
        .filter((e) => e.weight >= 0.5)
        .sort((a, b) => b.weight - a.weight)
        .slice(0, MAX_AGAINST),
    }))
    .sort((a, b) => b.score - a.score || a.country.localeCompare(b.country));
}

const obsKey = (e: { observation: string; image?: string; inherited?: boolean }) => `${e.image ?? ''}|${e.inherited ? 'i' : ''}|${e.observation}`;

/** Towns and places named by the evidence, strongest first. */
export function rankRegions(evidence: PlaceEvidence[]): RegionScore[] {
  const byPlace = new Map<string, PlaceEvidence[]>();
  for (const e of evidence) {
    const key = `${e.value}|${e.country ?? ''}`;
    byPlace.set(key, [...(byPlace.get(key) ?? []), e]);
  }
  return [...byPlace.values()]
    .map((items) => {
      const located = items.find((e) => e.latitude !== undefined && e.longitude !== undefined);
      const first = items[0]!;
      return {
        name: first.value,
        ...(first.country ? { country: first.country } : {}),
        ...(located ? { latitude: located.latitude!, longitude: located.longitude! } : {}),
        score: round(items.reduce((a, e) => a + e.weight, 0)),
        for: [...items].sort((a, b) => b.weight - a.weight),
      };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_REGIONS);
}

/** The window all the strongest time evidence agrees on; what does not fit is against it. */
export function fuseTime(evidence: TimeEvidence[]): TimeEstimate | undefined {
  const usable = evidence
    .filter((e) => e.weight > 0)
    .map((e) => ({ e, from: Date.parse(e.value.from), to: Date.parse(e.value.to) }))
    .sort((a, b) => b.e.weight - a.e.weight || a.to - a.from - (b.to - b.from));
  if (!usable.length) return undefined;
  let from = usable[0]!.from;
  let to = usable[0]!.to;
  const agree: TimeEvidence[] = [usable[0]!.e];
  const against: TimeEvidence[] = [];
  for (const u of usable.slice(1)) {
    const f = Math.max(from, u.from);
    const t = Math.min(to, u.to);
    if (f <= t) {
      from = f;
      to = t;
      agree.push(u.e);
    } else against.push(u.e);
  }
  return { window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, days: round((to - from) / DAY, 2), for: agree, against };
}

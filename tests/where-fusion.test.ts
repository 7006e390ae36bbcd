import { describe, expect, it } from 'vitest';
import { whereAndWhen, whereAndWhenSeries } from '../where';
import { fuseTime, rankCountries } from '../where/fuse';
import type { CountryEvidence, TimeEvidence, WhereClue } from '../where/types';
import { GROUP_CAPS, SOURCES } from '../where/weights';

// Adding evidence up: caps, contradictions, inherited evidence, series and time windows.

const text = (value: string, id?: string): WhereClue => ({ type: 'text', value, tokens: [], ...(id ? { id } : {}) });
const NOW = new Date(Date.UTC(2025, 0, 1));

describe('countries', () => {
  it('when ten lines of Polish meet one GPS fix in Germany, then Germany wins and Polish is evidence against', async () => {
    const polish = ['Sklep spożywczy', 'Świeże pieczywo codziennie', 'Otwarte od poniedziałku do soboty', 'Zakaz wjazdu', 'Apteka całodobowa',
      'Przychodnia lekarska', 'Kantor wymiana walut', 'Piekarnia i cukiernia', 'Szkoła podstawowa', 'Wejście od podwórza'];
    const r = await whereAndWhen({ clues: polish.map((p, i) => text(p, `t${i}`)), exif: { latitude: 52.52, longitude: 13.405 }, now: NOW });
    expect(r.countries[0]!.country).toBe('DE');
    const pl = r.countries.find((c) => c.country === 'PL')!;
    expect(pl.score).toBeLessThanOrEqual(SOURCES.language.cap + 0.001);
    expect(pl.against.map((e) => e.source)).toContain('gps');
    expect(r.regions[0]!.name).toBe('Berlin');
  });

  it('when text, phone, address and price agree, then the country is certain and each item says why', async () => {
    const r = await whereAndWhen({ clues: [text('Farmácia Central', 'a'), text('Tel. +351 213 456 789', 'b'), text('www.farmaciacentral.pt', 'c'), text('Paracetamol 2,99 €', 'd')], now: NOW });
    expect(r.countries[0]).toMatchObject({ country: 'PT', name: 'Portugal' });
    expect(r.countries[0]!.probability).toBeGreaterThan(0.9);
    expect(r.countries[0]!.score).toBeGreaterThan(2 * r.countries[1]!.score);
    expect(r.countries[0]!.for.map((e) => e.source)).toEqual(expect.arrayContaining(['phone', 'web-address', 'currency', 'language']));
    expect(r.countries[0]!.for.find((e) => e.source === 'phone')).toMatchObject({ clueId: 'b', text: '+351 213 456 789' });
    expect(r.noEvidence).toBe(false);
  });

  it('when nothing says where, then "no evidence" and no country at all', async () => {
    const r = await whereAndWhen({ clues: [{ type: 'object', value: 'cup', tokens: ['cup'] }, text('12')], now: NOW });
    expect(r).toMatchObject({ noEvidence: true, countries: [], regions: [] });
    expect(r.time).toBeUndefined();
  });

  it('when one source says the same thing many times, then it adds up to its cap and the group to its cap', () => {
    const ev = (source: CountryEvidence['source'], n: number): CountryEvidence[] =>
      Array.from({ length: n }, (_, i) => ({ kind: 'country', source, value: 'PL', share: 1, weight: SOURCES[source].weight, observation: `${source}${i}`, why: '' }));
    const [pl] = rankCountries([...ev('phone', 5), ...ev('web-address', 5), ...ev('currency', 5)]);
    expect(pl!.score).toBe(GROUP_CAPS.text);
  });

  it('when a linked image is located, then its evidence is inherited, weaker and marked', async () => {
    const linked = await whereAndWhen({ clues: [], exif: { latitude: 50.06, longitude: 19.94 }, sha256: 'b'.repeat(64), now: NOW });
    const r = await whereAndWhen({ clues: [], linked: [{ sha256: 'b'.repeat(64), strength: 0.8, reason: 'same camera serial', evidence: linked.evidence }], now: NOW });
    expect(r.countries[0]!.country).toBe('PL');
    const e = r.countries[0]!.for[0]!;
    expect(e).toMatchObject({ inherited: true, image: 'b'.repeat(64) });
    expect(e.weight).toBeLessThan(SOURCES.gps.weight / 2);
    expect(e.why).toMatch(/same camera serial/);
  });

  it('when a series has a phone number in one image and Portuguese in another, then both add up', async () => {
    const a = { sha256: 'a'.repeat(64), clues: [text('Tel. +351 213 456 789')], now: NOW };
    const b = { sha256: 'c'.repeat(64), clues: [text('Pão quente todos os dias, padaria e pastelaria')], now: NOW };
    const one = await whereAndWhen(a);
    const series = await whereAndWhenSeries([a, b]);
    expect(series.images).toEqual([a.sha256, b.sha256]);
    expect(series.countries[0]!.country).toBe('PT');
    expect(series.countries[0]!.score).toBeGreaterThan(one.countries[0]!.score);
    expect(new Set(series.evidence.map((e) => e.image))).toEqual(new Set([a.sha256, b.sha256]));
  });
});

describe('time', () => {
  const w = (source: TimeEvidence['source'], from: string, to: string, weight: number): TimeEvidence => ({ kind: 'time', source, value: { from, to }, weight, observation: source, why: source });

  it('when windows overlap, then the answer is their intersection; one that does not fit is against', () => {
    const t = fuseTime([
      w('text-date', '2019-06-13T10:00:00.000Z', '2020-06-14T00:00:00.000Z', 2),
      w('camera-time', '2019-06-14T12:52:10.000Z', '2019-06-14T13:52:10.000Z', 6),
      w('modified-time', '2015-01-01T00:00:00.000Z', '2015-01-02T00:00:00.000Z', 3),
    ])!;
    expect(t.window).toEqual({ from: '2019-06-14T12:52:10.000Z', to: '2019-06-14T13:52:10.000Z' });
    expect(t.for.map((e) => e.source)).toEqual(['camera-time', 'text-date']);
    expect(t.against.map((e) => e.source)).toEqual(['modified-time']);
  });

  it('when the camera time and offset are in the EXIF, then the result window holds the true instant', async () => {
    const r = await whereAndWhen({ clues: [], exif: { takenAt: '2021-08-02T09:15:00', OffsetTimeOriginal: '+09:00' }, now: NOW });
    const truth = Date.UTC(2021, 7, 2, 0, 15);
    expect(Date.parse(r.time!.window.from)).toBeLessThanOrEqual(truth);
    expect(Date.parse(r.time!.window.to)).toBeGreaterThanOrEqual(truth);
    // The offset alone is weak evidence for the countries at UTC+9.
    expect(r.countries.map((c) => c.country)).toEqual(expect.arrayContaining(['JP', 'KR']));
    expect(r.countries[0]!.score).toBeLessThanOrEqual(SOURCES['camera-offset'].cap);
  });
});

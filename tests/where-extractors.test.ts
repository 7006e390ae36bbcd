import { describe, expect, it } from 'vitest';
import { brandEvidence } from '../where/brands';
import { cameraTimeEvidence, countriesAtOffset, offsetEvidence, readExifTime } from '../where/camera-time';
import { countryAt, townsNear, zonesAt } from '../where/geo';
import { languageEvidence, loadIdentifier } from '../where/language';
import { currencyEvidence } from '../where/money';
import { phoneEvidence } from '../where/phone';
import { crowdEvidence, gpsEvidence } from '../where/places';
import { plateEvidence } from '../where/plate';
import { postcodeEvidence } from '../where/postcode';
import { textDateEvidence } from '../where/text-date';
import type { TextLine } from '../where/text-lines';
import type { CountryEvidence } from '../where/types';
import { SOURCES } from '../where/weights';
import { webEvidence } from '../where/web-address';

// Each extractor on the kind of text and EXIF the pipeline stores: pure and offline.

const lines = (...texts: string[]): TextLine[] => texts.map((text, i) => ({ text, clueId: `c${i}`, box: { x: 0, y: 10 * i, w: 100, h: 10 }, words: [] }));
const best = (ev: CountryEvidence[]) => [...ev].sort((a, b) => b.weight - a.weight)[0]?.value;
const NOW = Date.UTC(2025, 0, 1);

describe('language and script', () => {
  it('when a sign is in Polish, then Poland leads the language evidence, with the line it came from', async () => {
    const ev = languageEvidence(lines('Sklep spożywczy całodobowy'), await loadIdentifier());
    expect(best(ev)).toBe('PL');
    expect(ev[0]).toMatchObject({ source: 'language', clueId: 'c0' });
    expect(ev[0]!.why).toMatch(/Polish/);
  });

  it('when the accents were lost by the OCR, then Polish is still read from a longer line', async () => {
    const ev = languageEvidence(lines('Piekarnia i cukiernia, swieze pieczywo codziennie'), await loadIdentifier());
    expect(best(ev)).toBe('PL');
  });

  it('when text is Thai or Hangul, then the script or language places it', async () => {
    const identify = await loadIdentifier();
    expect(best(languageEvidence(lines('ร้านขายยา เปิดทุกวัน'), identify))).toBe('TH');
    expect(best(languageEvidence(lines('약국 연중무휴'), identify))).toBe('KR');
  });

  it('when Japanese is written in kana, then the kana script says Japan', async () => {
    const ev = languageEvidence(lines('コンビニエンスストア'), await loadIdentifier());
    expect(best(ev)).toBe('JP');
  });

  it('when a line is only a number, then no language is claimed', async () => {
    expect(languageEvidence(lines('12 345'), await loadIdentifier())).toEqual([]);
  });
});

describe('phone numbers', () => {
  it('when a number is international, then its prefix names the country', () => {
    const ev = phoneEvidence(lines('Tel. +351 213 456 789', 'zamówienia 0048 22 845 67 12'), []);
    expect(ev.map((e) => e.value).sort()).toEqual(['PL', 'PT']);
    expect(ev[0]!.weight).toBe(SOURCES.phone.weight);
  });

  it('when a number is national, then it counts only for a country the language points to, and less', () => {
    expect(phoneEvidence(lines('Tel. 030 1234567'), [])).toEqual([]);
    const ev = phoneEvidence(lines('Tel. 030 1234567'), ['DE']);
    expect(ev).toMatchObject([{ value: 'DE', source: 'phone' }]);
    expect(ev[0]!.weight).toBeLessThan(SOURCES.phone.weight);
  });

  it('when digits are a date, then they are not a phone number', () => {
    expect(phoneEvidence(lines('14.06.2019'), ['PL'])).toEqual([]);
  });
});

describe('money, addresses, postcodes, plates, brands', () => {
  it('when a price is in złoty, then Poland; in euro, then the euro countries share it', () => {
    expect(currencyEvidence(lines('Chleb 4,99 zł'))).toMatchObject([{ value: 'PL', share: 1 }]);
    const euro = currencyEvidence(lines('1,20 € / kg'));
    expect(euro.map((e) => e.value)).toEqual(expect.arrayContaining(['DE', 'PT', 'IT', 'FR']));
    expect(euro[0]!.share).toBeLessThan(0.1);
  });

  it('when "kr" is part of a word or "ALL" is an English word, then it is no currency', () => {
    expect(currencyEvidence(lines('kremowy 12', 'ALL 50% OFF'))).toEqual([]);
  });

  it('when a web or e-mail address has a country-code domain, then that country; .co.uk is Great Britain', () => {
    expect(webEvidence(lines('www.pizzeriadamario.it'))).toMatchObject([{ value: 'IT', weight: SOURCES['web-address'].weight }]);
    expect(webEvidence(lines('orders@teashop.co.uk'))).toMatchObject([{ value: 'GB' }]);
    expect(webEvidence(lines('www.example.com'))).toEqual([]);
    expect(webEvidence(lines('getapp.io'))[0]!.weight).toBeLessThan(1);
  });

  it('when a distinctive postcode stands before a town, then its country', () => {
    expect(postcodeEvidence(lines('ul. Marszałkowska 10, 00-950 Warszawa'))).toMatchObject([{ value: 'PL' }]);
    expect(postcodeEvidence(lines('London SW1A 1AA'))).toMatchObject([{ value: 'GB' }]);
    expect(postcodeEvidence(lines('Rua Augusta 1100-053 Lisboa'))).toMatchObject([{ value: 'PT' }]);
    expect(postcodeEvidence(lines('price 12-345 units'))).toEqual([]);
  });

  it('when a line reads like a plate, then the countries of that format', () => {
    expect(plateEvidence(lines('AB-123-CD'))).toMatchObject([{ value: 'FR' }]);
    expect(plateEvidence(lines('1234 BCD'))).toMatchObject([{ value: 'ES' }]);
    expect(plateEvidence(lines('Open 1234 today'))).toEqual([]);
  });

  it('when a brand is read or tagged, then the countries it trades in', () => {
    expect(brandEvidence(lines('BIEDRONKA codziennie niskie ceny'), [])).toMatchObject([{ value: 'PL', source: 'brand' }]);
    const tagged = brandEvidence([], [{ type: 'tag', value: 'cereal box', tokens: [], id: 't1', detail: { brand: 'Mercadona' } }]);
    expect(tagged.map((e) => e.value).sort()).toEqual(['ES', 'PT']);
    expect(tagged[0]!.clueId).toBe('t1');
  });
});

describe('EXIF: GPS, offset and clocks', () => {
  it('when GPS is in Lisbon, then Portugal, Lisbon among the towns, and the Lisbon time zone', () => {
    expect(countryAt(38.7223, -9.1393)).toBe('PT');
    expect(townsNear(38.7223, -9.1393, 30, 3).map((t) => t.name)).toContain('Lisbon');
    expect(zonesAt(38.7223, -9.1393)).toEqual(['Europe/Lisbon']);
    const g = gpsEvidence({ latitude: 38.7223, longitude: -9.1393, clueId: 'g' });
    expect(g.countries).toMatchObject([{ value: 'PT', source: 'gps', weight: SOURCES.gps.weight, clueId: 'g' }]);
    expect(g.pins[0]).toMatchObject({ kind: 'gps' });
  });

  it('when exifr read OffsetTimeOriginal and a GPS time stamp, then both are kept in standard form', () => {
    expect(readExifTime({ OffsetTimeOriginal: '+07:00', GPSDateStamp: '2019:06:14', GPSTimeStamp: [8, 22, 10] })).toEqual({ takenOffset: '+07:00', gpsTime: '2019-06-14T08:22:10.000Z' });
    expect(readExifTime({ OffsetTimeOriginal: 'garbage' })).toEqual({});
  });

  it('when the camera says UTC+07:00 in June, then the countries then at +7 (Thailand, Vietnam), not Poland', () => {
    const at = countriesAtOffset(420, Date.UTC(2019, 5, 14, 8));
    expect(at).toEqual(expect.arrayContaining(['TH', 'VN', 'KH']));
    expect(at).not.toContain('PL');
    expect(offsetEvidence('+07:00', Date.UTC(2019, 5, 14, 15)).map((e) => e.value)).toContain('TH');
    // Poland is +01:00 in January and +02:00 in July.
    expect(countriesAtOffset(60, Date.UTC(2019, 0, 14))).toContain('PL');
    expect(countriesAtOffset(120, Date.UTC(2019, 6, 14))).toContain('PL');
  });

  it('when the camera time has an offset, then the window is an hour around the UTC instant', () => {
    const [t] = cameraTimeEvidence({ takenAt: '2019-06-14T15:22:10', offset: '+02:00', now: NOW });
    expect(t!.value).toEqual({ from: '2019-06-14T12:52:10.000Z', to: '2019-06-14T13:52:10.000Z' });
  });

  it('when the zone is unknown, then the window spans every zone; with GPS, the zone at the fix', () => {
    const [wide] = cameraTimeEvidence({ takenAt: '2019-06-14T15:22:10', now: NOW });
    expect(Date.parse(wide!.value.to) - Date.parse(wide!.value.from)).toBe(27 * 3_600_000);
    const [zoned] = cameraTimeEvidence({ takenAt: '2019-06-14T15:22:10', zones: ['Europe/Warsaw'], now: NOW });
    expect(zoned!.value.from).toBe('2019-06-14T12:52:10.000Z');
  });

  it('when the clock looks reset or disagrees with GPS time, then it is not used or widened', () => {
    expect(cameraTimeEvidence({ takenAt: '2000-01-01T00:00:05', now: NOW })[0]!.weight).toBe(0);
    const ev = cameraTimeEvidence({ takenAt: '2017-03-01T10:00:00', offset: '+00:00', gpsTime: '2019-06-14T08:22:10Z', now: NOW });
    const camera = ev.find((e) => e.source === 'camera-time')!;
    expect(camera.weight).toBeLessThan(SOURCES['camera-time'].weight);
    expect(camera.why).toMatch(/suspect/);
  });
});

describe('dates in the text and crowd places', () => {
  it('when a receipt carries a date, then the photo is from that day on; a best-before date, before it', () => {
    const [receipt] = textDateEvidence(lines('Paragon fiskalny 14.06.2019 15:20'), NOW);
    expect(receipt!.value.from).toBe('2019-06-13T10:00:00.000Z');
    const [expiry] = textDateEvidence(lines('Best before 03.2021 / 12.03.2021'), NOW);
    expect(Date.parse(expiry!.value.to)).toBeLessThan(Date.UTC(2021, 2, 14));
  });

  it('when the crowd said "Lisbon, Portugal", then Portugal and a Lisbon pin', () => {
    const located = crowdEvidence([{ type: 'location', value: 'Lisbon, Portugal', tokens: [], id: 'x', detail: { source: 'crowd', count: 4 } }]);
    expect(located.countries.map((e) => e.value)).toEqual(['PT']);
    expect(located.pins.map((p) => p.label)).toContain('Lisbon');
  });
});

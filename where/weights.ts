import type { EvidenceSource } from './types';

// Every weight of "where and when" in one table (docs/where.md explains each).
//
// A piece of evidence is an observation (a phone number, the language of the text) with a share
// per country (a euro price: 1/20 for each euro country). It adds to a country's score
//   weight x reliability x ln(1 + share x N) / ln(1 + N)
// log-odds, where N is the number of countries: the log likelihood ratio of the observation
// against a uniform prior, scaled so that an observation that names one country for certain adds
// exactly `weight`. Within a source, items after the strongest count a quarter, and the sum is
// capped per source and per country (ten lines of Polish count as a few), then per group (everything read from the same signs is one group), so that no pile of
// correlated clues outvotes one GPS fix. Time evidence is a window with a weight: windows are
// intersected strongest first; one that does not fit is evidence against.

/** Countries and territories with an ISO 3166-1 code: the uniform prior. */
export const COUNTRY_COUNT = 250;

export type EvidenceGroup = 'gps' | 'camera' | 'text' | 'objects' | 'places' | 'crowd' | 'inherited';

export interface SourceWeight {
  /** Log-odds an observation that names one country for certain adds. */
  weight: number;
  /** At most this much per country from this source, however many observations. */
  cap: number;
  group: EvidenceGroup;
  /** Why this weight: the reason a reader of docs/where.md sees. */
  why: string;
}

export const SOURCES: Record<EvidenceSource, SourceWeight> = {
  gps: { weight: 12, cap: 12, group: 'gps', why: "the camera's own position: outweighs everything read from the scene together (a sign can be foreign, a fix rarely is)" },
  'known-place': { weight: 6, cap: 6, group: 'places', why: 'a verified match with a place whose location is known, scaled by the match score' },
  'crowd-location': { weight: 3, cap: 4, group: 'crowd', why: 'the crowd named a place and a reviewer accepted it: people guess, so less than a match' },
  phone: { weight: 5, cap: 6, group: 'text', why: 'a number in international format names its country; businesses advertise local numbers' },
  'web-address': { weight: 3.5, cap: 4.5, group: 'text', why: 'a country-code domain (.pl, .co.uk) is mostly used by businesses of that country' },
  currency: { weight: 3, cap: 3.5, group: 'text', why: 'a price is in the local currency; shared currencies (euro, dollar) spread over their countries' },
  postcode: { weight: 2.5, cap: 3, group: 'text', why: 'only distinctive formats are matched, next to a place name; still, addresses can be foreign' },
  plate: { weight: 1.5, cap: 2, group: 'text', why: 'cars cross borders, and plate formats resemble each other' },
  language: { weight: 3.5, cap: 4, group: 'text', why: 'the language of signs, scaled by the identifier’s confidence; English and Spanish spread over many countries by themselves' },
  script: { weight: 2.5, cap: 3, group: 'text', why: 'a writing system (Thai, Hangul, Cyrillic) when the language itself is not identified' },
  brand: { weight: 2, cap: 3, group: 'objects', why: 'a shop chain or brand sold in few countries; products travel, so weak' },
  'camera-offset': { weight: 1.5, cap: 1.5, group: 'camera', why: "the camera's UTC offset fits the zones of few countries, but clocks travel with their owners" },
  'camera-time': { weight: 6, cap: 6, group: 'camera', why: 'the camera clock: right to the minute when set, so strong unless it looks reset or disagrees with GPS time' },
  'gps-time': { weight: 10, cap: 10, group: 'gps', why: 'the GPS time stamp is satellite UTC: stronger than the camera clock' },
  'modified-time': { weight: 3, cap: 3, group: 'camera', why: 'an edit time: the photo was taken before it' },
  'text-date': { weight: 2, cap: 2, group: 'text', why: 'a printed date (a receipt): the photo was taken on or after it, usually within a year' },
};

/** Per group and country: everything from the same signs, the same camera, is correlated. */
export const GROUP_CAPS: Record<EvidenceGroup, number> = {
  gps: 12,
  camera: 6,
  text: 9,
  objects: 3,
  places: 6,
  crowd: 4,
  inherited: 5,
};

/** Within one source, each item after the strongest counts this much: repeats are correlated. */
export const REPEAT_FACTOR = 0.25;

/** Evidence taken over from a linked image counts this much, times the link's strength. */
export const INHERITED_FACTOR = 0.5;

/** A linked image's time window is taken over only through a link this strong (a duplicate). */
export const INHERIT_TIME_MIN_STRENGTH = 0.9;

/** In a series, caps are this many times an image's: more images add up, but only so far. */
export const SERIES_CAP_FACTOR = 1.5;

/** A camera time trusted, with a known zone: the window is this wide either side (drift, DST). */
export const CAMERA_TIME_SLACK_MINUTES = 30;
/** A camera clock that disagrees with GPS time: widened to this many days either side. */
export const SUSPECT_CLOCK_DAYS = 365;
/** A printed date: the photo was taken from that day to this many days after it. */
export const TEXT_DATE_AFTER_DAYS = 365;

/** Reliability of a language identification below which it is not evidence. */
export const MIN_LANGUAGE_CONFIDENCE = 0.25;
/** Shares below this are dropped from an observation (a language spoken by 0.1% somewhere). */
export const MIN_SHARE = 0.01;
/** At most this many countries per observation. */
export const MAX_COUNTRIES_PER_OBSERVATION = 25;
/** Towns within this distance of a GPS fix are named. */
export const TOWN_RADIUS_KM = 30;
export const MAX_TOWNS = 3;

/** Bumped when an extractor or weight changes: stored results are then re-computed. */
export const WHERE_VERSION = '1';

/** The log-odds an observation adds to one country: see the top of this file. */
export function logOdds(source: EvidenceSource, share: number, reliability = 1): number {
  const w = SOURCES[source].weight * reliability;
  return (w * Math.log(1 + share * COUNTRY_COUNT)) / Math.log(1 + COUNTRY_COUNT);
}

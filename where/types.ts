// The shapes of "where and when": what goes in (the clues an image already has) and what comes
// out (ranked countries, places and a time window, each with the evidence behind it). Types only:
// the web panel imports this file.

import type { Box, ClueInput } from '../core/clues';

/** A clue as stored: the id lets a piece of evidence point back at the word or box it came from. */
export type WhereClue = ClueInput & { id?: string };

/** Where a piece of evidence came from. Each has one row in where/weights.ts. */
export type EvidenceSource =
  | 'gps'
  | 'camera-offset'
  | 'camera-time'
  | 'gps-time'
  | 'modified-time'
  | 'language'
  | 'script'
  | 'phone'
  | 'currency'
  | 'web-address'
  | 'postcode'
  | 'plate'
  | 'brand'
  | 'text-date'
  | 'known-place'
  | 'crowd-location';

/** An interval of instants, ISO 8601 in UTC (`2019-06-14T13:22:10.000Z`). */
export interface TimeWindow {
  from: string;
  to: string;
}

interface EvidenceBase {
  source: EvidenceSource;
  /** Log-odds (natural log) this item adds before the caps of where/weights.ts. */
  weight: number;
  /** One observation (a phone number, a line's language) can speak for several countries. */
  observation: string;
  /** For a person: what was seen and why it points here. */
  why: string;
  /** The stored clue it came from, and the box of the word(s), to highlight in the image. */
  clueId?: string;
  box?: Box;
  /** The text that was matched (a number, a word, an address). */
  text?: string;
  /** Taken over from a linked image (weaker); `image` is that image. */
  inherited?: boolean;
  /** The image it came from, in a series or when inherited (sha256). */
  image?: string;
}

export interface CountryEvidence extends EvidenceBase {
  kind: 'country';
  /** ISO 3166-1 alpha-2. */
  value: string;
  /** This country's share of the observation (0..1): a euro price shares itself among 20 countries. */
  share: number;
}

/** A town near a GPS fix, a known place, a place the crowd named. */
export interface PlaceEvidence extends EvidenceBase {
  kind: 'region' | 'place';
  /** A name a person reads: `Kraków`, `Kraków area`. */
  value: string;
  country?: string;
  latitude?: number;
  longitude?: number;
  /** From the GPS fix, for towns. */
  distanceKm?: number;
}

export interface TimeEvidence extends EvidenceBase {
  kind: 'time';
  value: TimeWindow;
}

export type Evidence = CountryEvidence | PlaceEvidence | TimeEvidence;

/** A known place the image matched (the place library), with its location when the library has one. */
export interface KnownPlaceInput {
  placeId: string;
  name: string;
  /** The match's score, 0..1 (the `location` clue's score). */
  score?: number;
  latitude?: number;
  longitude?: number;
  country?: string;
  clueId?: string;
}

/** An image linked to this one, with its own (not inherited) evidence. */
export interface LinkedInput {
  sha256: string;
  /** 0..1: how sure the link is (a duplicate 1, a shared serial number less). */
  strength: number;
  reason: string;
  evidence: Evidence[];
}

export interface WhereInput {
  clues: WhereClue[];
  /** The stored EXIF summary (models/exif-reader.ts), or exifr's raw output: both are read. */
  exif?: Record<string, unknown>;
  places?: KnownPlaceInput[];
  linked?: LinkedInput[];
  /** The image's sha256, written on its evidence (series). */
  sha256?: string;
  /** "Now", for clocks set in the future; defaults to the current time. */
  now?: Date;
}

export interface CountryScore {
  country: string;
  /** English name. */
  name: string;
  /** Summed log-odds after the caps. */
  score: number;
  /** Against a uniform prior over every country: how much the evidence favours this one. */
  probability: number;
  /** The evidence for it, strongest first. */
  for: CountryEvidence[];
  /** The strongest evidence that points elsewhere and not here. */
  against: CountryEvidence[];
}

export interface RegionScore {
  name: string;
  country?: string;
  latitude?: number;
  longitude?: number;
  score: number;
  for: PlaceEvidence[];
}

export interface TimeEstimate {
  window: TimeWindow;
  /** Width of the window in days. */
  days: number;
  for: TimeEvidence[];
  /** Time evidence that did not fit the window of the stronger evidence. */
  against: TimeEvidence[];
}

/** A point for the map: a GPS fix, a known place, a town. */
export interface Pin {
  kind: 'gps' | 'place' | 'town';
  label: string;
  latitude: number;
  longitude: number;
  image?: string;
}

export interface WhereResult {
  /** Countries with any evidence, best first. Empty when `noEvidence`. */
  countries: CountryScore[];
  regions: RegionScore[];
  /** Absent when nothing says when. */
  time?: TimeEstimate;
  /** Every piece of evidence, own and inherited. */
  evidence: Evidence[];
  /** True when nothing says where: the answer is "no evidence", never a guess. */
  noEvidence: boolean;
  pins: Pin[];
  /** Images whose evidence was combined (a series), or the one image. */
  images: string[];
  /** Version of the extractors and weights, for re-runs when it changes. */
  version: string;
}

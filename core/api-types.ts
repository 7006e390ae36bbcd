import type { Box, ClueType } from './clues';

// The shapes the API answers with, in one place: the store and the use cases produce them, and
// the web pages import them (as types only) instead of keeping copies. Types only: the web bundle
// imports this file.

/** What a value becomes in a JSON answer: dates are ISO strings. */
export type Json<T> = T extends Date ? string : T extends (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;

export const ROLES = ['analyst', 'reviewer', 'tagger', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  name: string;
  role: Role;
}

/** Per-user choices of the web views. */
export interface UserSettings {
  /** Analysts see thumbnails blurred until clicked unless they chose otherwise. */
  unblurThumbnails: boolean;
}

/** `GET /api/me`. */
export interface Me extends Principal {
  settings: UserSettings;
}

export interface ClueMatch {
  type: ClueType;
  value: string;
  score?: number;
  box?: Box;
  /** The words of the clue that matched, with their boxes where the engine gave them. */
  highlights: { text: string; box?: Box }[];
}

export interface SearchHit {
  path: string;
  paths: string[];
  sha256: string;
  score: number;
  matches: ClueMatch[];
}

/** `GET /api/search`. */
export interface SearchPage {
  total: number;
  offset: number;
  hits: SearchHit[];
}

export type SimilarityTier = 'duplicate' | 'near-duplicate' | 'same-scene' | 'similar';

/** One answer of `POST /api/similar`. */
export interface SimilarHit {
  path: string;
  sha256: string;
  tier: SimilarityTier;
  score: number;
  /** Why it matched, in words an analyst can check. */
  reason: string;
  signals: { pdqDistance?: number; cosine?: number; inliers?: number };
}

export type LinkKind = 'near-duplicate' | 'serial' | 'location' | 'text';

export interface LinkReason {
  kind: LinkKind;
  value: string;
  weight: number;
}

/** One answer of `GET /api/images/{sha256}/links`. */
export interface LinkedImage {
  sha256: string;
  path: string;
  strength: number;
  reasons: LinkReason[];
}

/** One answer of `GET /api/series`. */
export interface Series {
  images: { sha256: string; path: string }[];
  /** The strongest reasons that hold the series together. */
  reasons: LinkReason[];
}

export interface KnownHashMatch {
  set: string;
  kind: 'exact' | 'near';
  /** md5, sha1, or PDQ with its distance */
  by: string;
  category?: number;
  series?: string;
  tags: string[];
  victimIdentified?: boolean;
}

/** Answers to one crop grouped by their normalised form, most supported first. */
export interface AnswerGroup {
  key: string;
  answer: string;
  /** Submissions plus votes. */
  count: number;
  submissions: number;
  votes: number;
  variants: string[];
  where: { value: string; count: number }[];
  brand: { value: string; count: number }[];
  accepted: boolean;
}

/** The public view of a crop: nothing that leads back to the evidence. */
export interface PublicCrop {
  id: string;
  label: string;
  question: string;
  answers: { id: string; what: string; where?: string; brand?: string; votes: number }[];
}

export interface RunSummary {
  runId: string;
  status: string;
  startTime?: Date;
  closeTime?: Date;
}

/** One answer of `GET /api/runs`. */
export interface RunView extends RunSummary {
  progress: import('./batch').BatchStatus | null;
}

/** `GET /api/images/{sha256}/tags`: what people said about one image. */
export interface TagHistory {
  tags: import('../store/documents').ClueDoc[];
  crops: { crop: import('../store/documents').PublicCropDoc; answers: AnswerGroup[]; submissions: Omit<import('../store/documents').CrowdTagDoc, 'by'>[] }[];
}

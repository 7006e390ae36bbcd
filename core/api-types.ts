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
  /** The cases an analyst token is limited to (usecases/case-access.ts); absent: every case. */
  cases?: string[];
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
  signals: { pdqDistance?: number; cosine?: number; inliers?: number; regions?: number };
  /**
   * Where in this image the match is, as fractions of it (0..1): the keypoints that agree for the
   * same-scene tier, else the stored region nearest the query.
   */
  box?: { x: number; y: number; w: number; h: number };
}

/** A search by example: the hits, and the shortlisted images that could not be checked, with why. */
export interface SimilarResult {
  hits: SimilarHit[];
  skipped: { path: string; sha256: string; reason: string }[];
  /** How many images the vector index held, and how many it shortlisted for checking. */
  searched: { indexed: number; shortlisted: number };
}

/** `person`: a face of each grouped as one person (analysts and admins only). */
export type LinkKind = 'near-duplicate' | 'serial' | 'location' | 'text' | 'person';

export interface LinkReason {
  kind: LinkKind;
  value: string;
  weight: number;
}

/** One answer of `GET /api/images/{sha256}/links`. */
export interface LinkedImage {
  sha256: string;
  path: string;
  /** The linked image's cases: a token limited to cases sees only links into them. */
  cases: string[];
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

/**
 * The life of a published object (docs/web.md): open → under-review → located (with a country),
 * worldwide or unresolved; withdrawn from any of them. Every change is a reviewer's, with a reason.
 */
export type CropState = 'open' | 'under-review' | 'located' | 'worldwide' | 'unresolved' | 'withdrawn';

/** One change of an object's state: who, when, why. */
export interface CropStateChange {
  from: CropState;
  to: CropState;
  reason: string;
  /** The country it was located in (English name) and its ISO 3166 code. */
  country?: string;
  countryCode?: string;
  by: string;
  at: Date;
}

/** The public view of a crop: nothing that leads back to the evidence. */
export interface PublicCrop {
  id: string;
  label: string;
  question: string;
  /** open, under-review, worldwide or unresolved: the public never sees a located or withdrawn object. */
  state: CropState;
  /** Near-identical answers merged (`count` of them); notes and contact details never appear here. */
  answers: { id: string; what: string; where?: string; brand?: string; votes: number; count: number }[];
}

/** `GET /api/public/summary`: counts only, never which object or case. */
export interface PublicSummary {
  /** Objects the public can still help with. */
  needHelp: number;
  /** Objects located with at least one tip or answer a reviewer found useful. */
  solvedWithPublicHelp: number;
}

/** A reviewer's triage of a tip. */
export type TipVerdict = 'useful' | 'not-useful' | 'duplicate' | 'follow-up';

export interface TipTriage {
  verdict: TipVerdict;
  by: string;
  at: Date;
  reason?: string;
  /** `duplicate`: the entry (its first tip's id) this one repeats, when the reviewer said which. */
  of?: string;
  /** `useful`: the clues it became on the source image. */
  clueIds?: string[];
}

/** One tip as reviewers see it. `contact` is there for the reviewer role only, and only until it expires. */
export interface TipView {
  id: string;
  at: Date;
  note?: string;
  hasContact: boolean;
  contact?: string;
}

/**
 * Near-identical tips on one object merged into one entry of the triage queue: the same answer,
 * place and brand once normalised (case, accents, punctuation, spacing). Inside, the tips are
 * grouped per tagger.
 */
export interface TipEntry {
  /** The entry's first tip's id: triaging it triages the whole entry. */
  id: string;
  cropId: string;
  answer: string;
  where?: string;
  brand?: string;
  /** How many tips were merged into this entry. */
  merged: number;
  votes: number;
  /** Its tips grouped per tagger; `onObject`: all of that tagger's tips on the object, in any entry. */
  taggers: { tagger: string; blocked: boolean; onObject: number; tips: TipView[] }[];
  /** Some tip in it has not been triaged yet. */
  new: boolean;
  triage?: TipTriage;
  firstAt: Date;
  lastAt: Date;
}

/** `GET /api/review/tips`: the triage queue, new entries first, each with its object. */
export interface TriageEntry extends TipEntry {
  label: string;
  state: CropState;
}

/** A tagger a reviewer blocked from the public view. */
export interface TaggerBlock {
  tagger: string;
  by: string;
  reason: string;
  at: Date;
}

/** `clues export tao --case ID`: what the receiving country gets. No contact details, no tagger names. */
export interface TaoExport {
  format: 'clues-tao-export';
  version: 1;
  case: string;
  exportedAt: Date;
  objects: {
    id: string;
    label: string;
    question: string;
    sha256: string;
    cropBox: Box;
    publishedAt: Date;
    state: CropState;
    outcome: { state: 'located' | 'worldwide' | 'unresolved'; country?: string; countryCode?: string; reason: string; by: string; at: Date } | null;
    history: CropStateChange[];
    acceptedAnswers: { answer: string; count: number; where?: string; brand?: string; by: string; at: Date }[];
    /** Each tip alone; `tagger` is a pseudonym (T1, T2…) that holds within one export. */
    tips: { id: string; entry: string; tagger: string; answer: string; where?: string; brand?: string; note?: string; at: Date; votes: number; verdict?: TipVerdict }[];
  }[];
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

/** `GET /api/images/{sha256}/tags`: what people said about one image (no tagger names, no contact details). */
export interface TagHistory {
  tags: import('../store/documents').ClueDoc[];
  crops: { crop: import('../store/documents').PublicCropDoc; answers: AnswerGroup[]; submissions: Omit<import('../store/documents').CrowdTagDoc, 'by'>[] }[];
}

/** One object of `GET /api/review`: its state, the answers grouped, and its tips merged. */
export interface ReviewObject {
  id: string;
  label: string;
  question: string;
  sha256: string;
  clueId: string;
  publishedBy: string;
  publishedAt: Date;
  state: CropState;
  country?: string;
  /** The states a reviewer may move it to now. */
  next: CropState[];
  history: CropStateChange[];
  accepted: import('../store/documents').AcceptedAnswer[];
  answers: AnswerGroup[];
  tips: TipEntry[];
  /** Every tagger's tips on this object, grouped: who sent how many, most first. */
  taggers: { tagger: string; blocked: boolean; tips: number; entries: string[] }[];
}

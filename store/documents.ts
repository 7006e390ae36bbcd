import type { WhereResult } from '../where/types';
import type { CropState, CropStateChange, TipTriage, UserSettings } from '../core/api-types';
import type { Box, ClueInput, ClueStage, FrameOf, FramesSummary, ImageInfo, ModelRef, StageName, StageStatus } from '../core/clues';

// The documents of every collection, in one place. Repositories (store/*.ts) own the queries and
// indexes; nothing outside store/ names a collection.

export interface StageRecord {
  status: StageStatus;
  reason?: string;
  model?: ModelRef;
  durationMs?: number;
  clueCount: number;
  at: Date;
}

export interface ImageDoc {
  _id: string; // sha256
  sha256: string;
  md5?: string;
  sha1?: string;
  pdq?: { hash: string; quality: number };
  /** Multi-index keys of the PDQ hash (store/pdq-index.ts): near-duplicates by index, not by scan. */
  pdqKeys?: string[];
  paths: string[];
  cases: string[];
  info?: ImageInfo;
  exif?: Record<string, unknown>;
  /** The whole-image embedding: f16 bytes (core/compact-vectors.ts); arrays of doubles from before. */
  embedding?: number[] | import('mongodb').Binary;
  featuresPath?: string;
  stages?: Partial<Record<StageName, StageRecord>>;
  /** Where and when the image was taken, weighed from its clues and its links (where/). */
  where?: WhereResult;
  /** A frame or page of a multi-page file: which file, and which frame of how many. */
  frameOf?: FrameOf;
  /** A multi-page file: its frames processed as images, and those left out with the reason. */
  frames?: FramesSummary;
  /** `pending`: seen under a path (a duplicate in a run) before its own workflow saved it. */
  status: 'pending' | 'processed' | 'failed';
  failure?: { code: string; reason: string; at: Date };
  createdAt: Date;
  updatedAt: Date;
}

/** A stored clue: what the stage produced, plus where it came from. */
export interface ClueDoc extends ClueInput {
  _id: string;
  sha256: string;
  stage: ClueStage;
  model?: ModelRef;
  createdAt: Date;
}

/**
 * One image under one search term: the best score any of its clues gives the term, and the
 * image's cases, so that a search, a count and a case filter are all index scans.
 */
export interface TermDoc {
  _id: string; // `${k}|${t}|${img}`
  k: string;
  t: string;
  img: string;
  s: number;
  cases: string[];
}

/** How many images a term has, per score bucket: counts and score thresholds without a scan. */
export interface TermStatsDoc {
  _id: string; // `${k}|${t}|${case}|${shard}`
  k: string;
  t: string;
  c: string;
  n: number;
  /** Images per hundredth of score, bucket '0'..'99'. */
  h: Record<string, number>;
}

/** A word of free text (with its length): what prefix search reads a key range of. */
export interface WordDoc {
  _id: string;
  n: number;
}

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string;
  detail?: Record<string, unknown>;
  from?: string;
}

export interface PlaceDoc {
  _id: string; // sha256 of the reference image
  name: string;
  path: string;
  embedding: number[];
  featuresPath: string;
  createdAt: Date;
}

/** What similarity ranking needs of each stored image. */
export interface SimilarityCandidate {
  sha256: string;
  path: string;
  pdq?: { hash: string; quality: number };
  embedding?: number[];
  featuresPath?: string;
  /** The case or cases it was seen in. */
  cases?: string[];
}

export type { UserSettings } from '../core/api-types';
export const DEFAULT_SETTINGS: UserSettings = { unblurThumbnails: false };

// Trace an Object: what a reviewer published, what the public answered, what a reviewer accepted.

export type { CropState, CropStateChange, TipTriage, TipVerdict } from '../core/api-types';

/** `published`: written before objects had a life (issue 15); it reads as `open`. */
export type CropStatus = CropState | 'published';

export interface PublicCropDoc {
  _id: string; // TAO-…, random: it must not reveal the source image
  clueId: string;
  sha256: string;
  label: string;
  /** The padded box that was published, in the oriented image's pixels. */
  cropBox: Box;
  /** JPEG under the data folder, re-encoded without metadata. */
  file: string;
  question: string;
  status: CropStatus;
  publishedBy: string;
  publishedAt: Date;
  accepted: AcceptedAnswer[];
  /** Every change of state, oldest first (absent on objects published before issue 15). */
  history?: CropStateChange[];
  /** Set when located: the English name and the ISO 3166 code. */
  country?: string;
  countryCode?: string;
  /** Located with at least one tip or answer a reviewer found useful: the public's count. */
  solvedWithPublicHelp?: boolean;
}

export interface AcceptedAnswer {
  answer: string;
  key: string;
  count: number;
  where?: string;
  brand?: string;
  by: string;
  at: Date;
  clueIds: string[];
}

/** One tip (an answer) from the public. Contact details are never here: see TipContactDoc. */
export interface CrowdTagDoc {
  _id: string;
  cropId: string;
  what: string;
  where?: string;
  brand?: string;
  /** Free text the tagger added; shown to reviewers and analysts, never to the public. */
  note?: string;
  /** Normalised answer: answers that differ only in case, accents or punctuation count together. */
  key: string;
  by: string;
  at: Date;
  votes: number;
  /** The tagger left contact details (kept in tip_contacts, for reviewers, until they expire). */
  hasContact?: boolean;
  triage?: TipTriage;
}

/**
 * A tagger's contact details for one tip, apart from the tip so that no other read can carry
 * them. Removed when the object closes; a TTL index removes them at `expiresAt` in any case.
 */
export interface TipContactDoc {
  _id: string; // the tip's id
  cropId: string;
  contact: string;
  at: Date;
  expiresAt: Date;
}

export interface TaggerBlockDoc {
  _id: string; // the tagger's token name
  by: string;
  reason: string;
  at: Date;
}

/** One fixed window of one rate limit: `_id` names the limit, the caller and the window. */
export interface RateWindowDoc {
  _id: string;
  n: number;
  expiresAt: Date;
}

// Plain data of a batch run, shared by the batch workflow, its activities and clients.

import type { StageName } from './clues';

export interface BatchSource {
  kind: 'folder' | 'manifest';
  path: string;
}

/**
 * Images in flight in a run unless it says otherwise: enough that a worker's engines always have
 * the next image's stages waiting while Temporal and the store handle the last one's (4 left a
 * worker idle 10% of the time: docs/batch.md).
 */
export const DEFAULT_RUN_CONCURRENCY = 8;

export interface BatchInput {
  runId: string;
  source: BatchSource;
  caseId?: string;
  /** Images in flight at once. */
  concurrency: number;
  /** Files listed per activity call. */
  pageSize: number;
  /** Pages per workflow run before continue-as-new (default 20). */
  pagesPerRun?: number;
  /** Carried across continue-as-new. */
  offset?: number;
  progress?: BatchProgress;
}

export interface BatchProgress {
  /** Files listed so far: found = done + partial + skipped + failed + in flight. */
  found: number;
  /** Processed by this run, every stage that ran ok (or unavailable: its model is not installed). */
  done: number;
  /**
   * Processed, but at least one stage failed: its other clues are saved, and a later run does
   * the failed stages again. Absent from runs started before it was counted.
   */
  partial?: number;
  skipped: number;
  failed: number;
  inFlight: number;
  /** Files in the whole listing, once known. */
  total?: number;
  /**
   * The newest failures, partial images and skips with reasons (capped: the totals above are
   * exact). Every one is kept in the store (store/run-items.ts), read page by page.
   */
  failures: { path: string; reason: string }[];
  partials?: { path: string; reason: string }[];
  skips: { path: string; reason: string }[];
  startedAt: number;
  paused: boolean;
  cancelled: boolean;
}

export interface BatchStatus extends BatchProgress {
  imagesPerHour: number;
  etaSeconds?: number;
}

/** Rate and ETA of a run at time `now` (ms); pure, so the batch workflow's query uses it too. */
export function batchStatus(p: BatchProgress, now: number): BatchStatus {
  const hours = Math.max((now - p.startedAt) / 3_600_000, 1 / 3600);
  const rate = (p.done + (p.partial ?? 0)) / hours;
  const remaining = p.total !== undefined ? p.total - (p.done + (p.partial ?? 0) + p.skipped + p.failed) : undefined;
  return { ...p, imagesPerHour: Math.round(rate), ...(remaining !== undefined && rate > 0 ? { etaSeconds: Math.round((remaining / rate) * 3600) } : {}) };
}

export type BatchItem =
  /** `only`: an already processed image whose listed stages are out of date. */
  | { kind: 'image'; path: string; sha256: string; only?: StageName[] }
  | { kind: 'skipped'; path: string; reason: string }
  | { kind: 'failed'; path: string; reason: string };

export interface BatchPage {
  items: BatchItem[];
  total: number;
  nextOffset: number | null;
}

/** What a run keeps in the store for each file that did not end done: one per file and kind. */
export type RunItemKind = 'failed' | 'partial' | 'skipped';
export const RUN_ITEM_KINDS: readonly RunItemKind[] = ['failed', 'partial', 'skipped'];

export interface RunItem {
  kind: RunItemKind;
  path: string;
  reason: string;
  /** Its place in the run's listing (0-based): a file listed twice is two items. */
  n: number;
}

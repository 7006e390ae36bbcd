import type { Store } from '../store';
import type { ReindexCheckpointDoc } from '../store/derived-data';
import { SEARCH_TERMS_VERSION } from '../store/search-terms';

// `clues reindex`: what the store derives from its clues, rebuilt image by image. Each derived
// kind is a rebuilder with a version; a pass over the images is resumable (a checkpoint after
// every page), idempotent (rebuilding an image twice leaves it as once), and, when it covered the
// whole store, records the version it built, which is how `clues status` knows it is done.

export interface Rebuilder {
  /** Names the derived data in the store and on the command line. */
  kind: string;
  /** What the code builds now; a store built with an older one needs a reindex. */
  version: string;
  describe: string;
  /** Brings one image's derived data in line with its clues. */
  rebuild(store: Store, sha256: string): Promise<void>;
}

/** Every derived kind, in the order a pass rebuilds them. */
export const REBUILDERS: Rebuilder[] = [
  {
    kind: 'search-terms',
    version: SEARCH_TERMS_VERSION,
    describe: 'search terms and counts (what every search filter reads)',
    rebuild: (store, sha256) => store.terms.reindex(sha256),
  },
];

/** Images rebuilt between two checkpoints. */
const PAGE = 200;

export interface ReindexProgress {
  kind: string;
  done: number;
  total: number;
  resumed: boolean;
}

export interface ReindexResult {
  kind: string;
  version: string;
  images: number;
  /** Images done by an earlier, interrupted pass that this one resumed. */
  resumedAt: number;
}

/** What a store needs: kinds built with an older version (or never recorded), and unfinished passes. */
export async function reindexNeeded(store: Store): Promise<{ kind: string; describe: string; have: string | null; want: string; unfinished?: { caseId?: string; done: number; total: number } }[]> {
  const out = [];
  for (const r of REBUILDERS) {
    const have = await store.derived.version(r.kind);
    const open = (await store.derived.unfinished(r.kind))[0];
    if (have === r.version && !open) continue;
    out.push({ kind: r.kind, describe: r.describe, have, want: r.version, ...(open ? { unfinished: { ...(open.caseId ? { caseId: open.caseId } : {}), done: open.done, total: open.total } } : {}) });
  }
  return out;
}

/**
 * Rebuilds every derived kind (or those named) of every image (or a case's), resuming an
 * interrupted pass of the same scope and version. Images saved meanwhile are built by their own
 * save; a pass that ends covers every image that existed when it began.
 */
export async function reindex(store: Store, opts: { caseId?: string; kinds?: string[]; onProgress?: (p: ReindexProgress) => void } = {}): Promise<ReindexResult[]> {
  const results: ReindexResult[] = [];
  for (const r of REBUILDERS.filter((x) => !opts.kinds || opts.kinds.includes(x.kind))) {
    const id = `pass:${r.kind}:${opts.caseId ?? '*'}`;
    const old = await store.derived.checkpoint(r.kind, opts.caseId);
    const resume = old && !old.finishedAt && old.version === r.version ? old : null;
    const now = new Date();
    const c: ReindexCheckpointDoc = resume ?? {
      _id: id, kind: r.kind, ...(opts.caseId ? { caseId: opts.caseId } : {}), version: r.version, after: '', done: 0, total: await store.terms.countImages(opts.caseId), startedAt: now, updatedAt: now,
    };
    const resumedAt = c.done;
    await store.derived.saveCheckpoint(c);
    opts.onProgress?.({ kind: r.kind, done: c.done, total: c.total, resumed: resume !== null });
    for (;;) {
      const ids = await store.terms.imageIdsAfter(c.after, PAGE, opts.caseId);
      if (ids.length === 0) break;
      for (const sha256 of ids) await r.rebuild(store, sha256);
      c.after = ids[ids.length - 1]!;
      c.done += ids.length;
      c.total = Math.max(c.total, c.done);
      c.updatedAt = new Date();
      await store.derived.saveCheckpoint(c);
      opts.onProgress?.({ kind: r.kind, done: c.done, total: c.total, resumed: resume !== null });
    }
    c.finishedAt = new Date();
    await store.derived.saveCheckpoint(c);
    // Only a pass over the whole store makes it current; a case's pass mends that case.
    if (!opts.caseId) await store.derived.setVersion(r.kind, r.version);
    results.push({ kind: r.kind, version: r.version, images: c.done, resumedAt });
  }
  return results;
}

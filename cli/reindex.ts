import { userInfo } from 'node:os';
import type { Config } from '../core/config';
import { readPid } from '../services/daemon';
import type { Store } from '../store';
import { reindex, reindexNeeded } from '../usecases/reindex';
import { regionIndexRebuilder } from './reindex-regions';

/**
 * `clues reindex [--case C]`: derived data rebuilt from the stored clues, image by image (resumable,
 * with progress), then, for the whole store, the region index from the stored descriptors.
 */
export async function reindexCommand(cfg: Config, store: Store, opts: { caseId?: string; json: boolean }): Promise<void> {
  const started = Date.now();
  let last = 0;
  const results = await reindex(store, {
    ...(opts.caseId ? { caseId: opts.caseId } : {}),
    onProgress: (p) => {
      // A line a few seconds apart (a log stays readable), and the first and the last.
      if (p.done !== 0 && p.done !== p.total && Date.now() - last < 5000) return;
      last = Date.now();
      const rate = p.done / Math.max((Date.now() - started) / 1000, 0.001);
      console.error(`${p.kind}: ${p.done} of ${p.total} images${p.resumed ? ' (resumed)' : ''}, ${rate.toFixed(0)}/s`);
    },
  });
  // The region index is one file for the whole store: a case's pass leaves it as it is.
  const regions = opts.caseId ? undefined : await regionIndexRebuilder.rebuild(cfg, store);
  await store.audit.write({ actor: `cli:${userInfo().username}`, action: 'reindex', ...(opts.caseId ? { target: opts.caseId } : {}), detail: { results, ...(regions ? { regions } : {}) } });
  if (opts.json) console.log(JSON.stringify({ ...(opts.caseId ? { caseId: opts.caseId } : {}), results, ...(regions ? { regions } : {}) }, null, 2));
  else {
    for (const r of results) console.log(`${r.kind}: ${r.images} images rebuilt (version ${r.version})${r.resumedAt ? `, resumed after ${r.resumedAt}` : ''}`);
    if (regions) console.log(regions);
  }
}

/** The lines `clues status` adds about derived data: what needs `clues reindex`, and why. */
export async function reindexStatus(cfg: Config, open: () => Promise<Store>): Promise<string[]> {
  if (cfg.mongo.embedded && !readPid(cfg.paths, 'database')) return ['derived  not checked (the database is not running)'];
  let store: Store | undefined;
  try {
    // A database that is down is already reported above; status does not wait for it.
    store = await Promise.race([open(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000).unref())]);
    const needed = await reindexNeeded(store);
    if (needed.length === 0) return ['derived  up to date (search terms)'];
    return needed.map((n) =>
      n.unfinished
        ? `derived  ${n.kind}: a reindex${n.unfinished.caseId ? ` of case ${n.unfinished.caseId}` : ''} stopped at ${n.unfinished.done} of ${n.unfinished.total} images; run \`clues reindex\` to finish it`
        : `derived  ${n.kind}: built with version ${n.have ?? 'unknown (before versions were recorded)'}, this version builds ${n.want}; run \`clues reindex\` so that older images get ${n.describe}`,
    );
  } catch {
    return [`derived  not checked (the database at ${cfg.mongo.uri} did not answer)`];
  } finally {
    await store?.close();
  }
}

import type { Config } from '../core/config';
import { REGION_DIMS, REGION_MODEL } from '../models/region-descriptors';
import type { Store } from '../store';
import { regionIndexDir } from '../vectors/open-region-index';
import { readRegionMeta, RegionIndex } from '../vectors/region-index';

// The region index among the derived data `clues reindex` rebuilds, and its line in `clues status`.

export interface Rebuilder {
  name: string;
  /** Rebuilds from the database alone; returns one line saying what it holds now. */
  rebuild(cfg: Config, store: Store): Promise<string>;
}

export const regionIndexRebuilder: Rebuilder = {
  name: 'region index',
  async rebuild(cfg, store) {
    const started = Date.now();
    const meta = await RegionIndex.rebuild({ dir: regionIndexDir(cfg), model: REGION_MODEL, dims: REGION_DIMS, repo: store.regions });
    return `region index: ${meta.images} images, ${meta.vectors} regions, in ${((Date.now() - started) / 1000).toFixed(1)} s (a running worker loads it)`;
  },
};

export interface RegionIndexCount {
  /** Images the index file holds, as of its last save (undefined: no index yet). */
  indexed?: number;
  /** Images whose regions the database holds. */
  database: number;
  savedAt?: string;
  /** Changes the database has that the saved index has not applied (a worker replays them). */
  behind: number;
}

export async function regionIndexCount(cfg: Config, store: Pick<Store, 'regions'>): Promise<RegionIndexCount> {
  const meta = readRegionMeta(regionIndexDir(cfg));
  const [database, last] = await Promise.all([store.regions.count(), store.regions.lastSeq()]);
  return { database, behind: Math.max(0, last - (meta?.seq ?? 0)), ...(meta ? { indexed: meta.images, savedAt: meta.savedAt } : {}) };
}

export function formatRegionIndexCount(c: RegionIndexCount): string {
  if (c.indexed === undefined) return `no index yet; the database holds the regions of ${c.database} images (a worker builds it on start)`;
  const lag = c.behind ? `, ${c.behind} change(s) behind the database (a running worker applies them)` : '';
  return `${c.indexed} of ${c.database} images (saved ${c.savedAt}${lag})`;
}

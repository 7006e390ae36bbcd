import { join } from 'node:path';
import type { Config } from '../core/config';
import { REGION_DIMS, REGION_MODEL } from '../models/region-descriptors';
import type { Store } from '../store';
import { RegionIndex } from './region-index';

/** Where the region index lives: the data folder (owner-only like the rest), one folder per database. */
export const regionIndexDir = (cfg: Config): string => join(cfg.dataDir, 'vectors', cfg.mongo.dbName);

/** The region index of this installation, brought up to date with the database. */
export function openRegionIndex(cfg: Config, store: Pick<Store, 'regions'>, log?: (msg: string) => void): Promise<RegionIndex> {
  return RegionIndex.open({ dir: regionIndexDir(cfg), model: REGION_MODEL, dims: REGION_DIMS, repo: store.regions, ...(log ? { log } : {}) });
}

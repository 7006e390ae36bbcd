import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegionVectorRepository, RegionVectorsDoc } from '../store/region-vectors';
import { fromInt8 } from '../core/compact-vectors';
import { USEARCH_VERSION, UsearchIndex } from './usearch-index';
import type { VectorHit, VectorIndex } from './vector-index';

// The image-region index as derived data, in the data folder: the usearch file and, beside it, what
// it holds up to (the last change number of the database's `vectors` collection it applied). On
// open it replays every change after that number, so an index left by a crash is brought up to
// date, never used stale; a file that cannot be read, or made for another descriptor model, is
// rebuilt from the database. `clues reindex` rebuilds it whole; `clues status` compares its count.

export const REGION_INDEX_FILE = 'regions.usearch';
export const REGION_META_FILE = 'regions.json';

export interface RegionIndexMeta {
  /** Descriptor model (RegionDescriber.model.name) and size: vectors of another are not mixed in. */
  model: string;
  dims: number;
  /** The last change of the `vectors` collection applied. */
  seq: number;
  images: number;
  vectors: number;
  library: string;
  savedAt: string;
  /** Changes with each rebuild: a holder that sees another reloads. */
  generation: string;
  /**
   * The index file's SHA-256, checked before the library reads it: usearch trusts its file, and a
   * damaged one can take the process down rather than throw.
   */
  fileSha256?: string;
}

function fileSha256(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 22);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** Index keys: the first 56 bits of the image's SHA-256, then the region's number (8 bits). */
export const imageKey = (sha256: string): bigint => BigInt(`0x${sha256.slice(0, 14)}`) << 8n;
export const keyPrefix = (key: bigint): string => (key >> 8n).toString(16).padStart(14, '0');
export const keyRegion = (key: bigint): number => Number(key & 0xffn);

export function readRegionMeta(dir: string): RegionIndexMeta | undefined {
  const p = join(dir, REGION_META_FILE);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as RegionIndexMeta;
  } catch {
    return undefined;
  }
}

/** Writes through a temporary name and renames: a reader or a crash sees the old file or the new, whole. */
function atomicWrite(path: string, write: (tmp: string) => void): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    write(tmp);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

export interface RegionIndexOptions {
  dir: string;
  model: string;
  dims: number;
  repo: RegionVectorRepository;
  log?: (msg: string) => void;
}

export class RegionIndex {
  private index: VectorIndex;
  private meta: RegionIndexMeta;
  private dirty = false;
  private loadedMtime = 0;
  private catching: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly o: RegionIndexOptions, index: VectorIndex, meta: RegionIndexMeta) {
    this.index = index;
    this.meta = meta;
  }

  /** Opens the index in `dir` (or starts one) and replays the changes it lacks. */
  static async open(o: RegionIndexOptions): Promise<RegionIndex> {
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    let loaded = RegionIndex.load(o);
    // A database that was emptied or restored from before the index: its numbers start again.
    if (loaded && loaded.meta.seq > (await o.repo.lastSeq())) {
      o.log?.(`region index in ${o.dir} applied change ${loaded.meta.seq}, the database's last is lower: rebuilding it`);
      loaded = undefined;
    }
    const idx = loaded ?? new RegionIndex(o, new UsearchIndex({ dims: o.dims }), RegionIndex.emptyMeta(o));
    // A file not trusted is not loaded back as "another process's rebuild" either.
    if (!loaded && existsSync(join(o.dir, REGION_META_FILE))) idx.loadedMtime = statSync(join(o.dir, REGION_META_FILE)).mtimeMs;
    await idx.catchUp();
    if (idx.dirty) await idx.flush();
    return idx;
  }

  private static emptyMeta(o: RegionIndexOptions): RegionIndexMeta {
    return { model: o.model, dims: o.dims, seq: 0, images: 0, vectors: 0, library: `usearch@${USEARCH_VERSION}`, savedAt: new Date().toISOString(), generation: randomUUID() };
  }

  private static load(o: RegionIndexOptions): RegionIndex | undefined {
    const meta = readRegionMeta(o.dir);
    const file = join(o.dir, REGION_INDEX_FILE);
    if (!meta || !existsSync(file)) return undefined;
    if (meta.model !== o.model || meta.dims !== o.dims) {
      o.log?.(`region index in ${o.dir} holds ${meta.model}/${meta.dims}, descriptors are ${o.model}/${o.dims}: rebuilding it`);
      return undefined;
    }
    try {
      if (!meta.fileSha256 || fileSha256(file) !== meta.fileSha256) throw new Error('the file is not the one its record describes (damaged, or left by a crash while saving)');
      const index = new UsearchIndex({ dims: o.dims, path: file });
      if (index.size() !== meta.vectors) o.log?.(`region index file holds ${index.size()} vectors, its record says ${meta.vectors}: replaying from change ${meta.seq}`);
      const r = new RegionIndex(o, index, meta);
      r.loadedMtime = statSync(join(o.dir, REGION_META_FILE)).mtimeMs;
      return r;
    } catch (err) {
      o.log?.(`region index in ${o.dir} could not be read (${err instanceof Error ? err.message : String(err)}): rebuilding it`);
      return undefined;
    }
  }

  get status(): Readonly<RegionIndexMeta> {
    return this.meta;
  }

  /**
   * Applies every change the database has after the last one applied; one at a time (a second
   * caller waits for the first). A rebuild by another process (a new generation) is loaded first.
   */
  catchUp(): Promise<number> {
    this.catching ??= this.replay().finally(() => (this.catching = undefined));
    return this.catching;
  }

  private async replay(): Promise<number> {
    this.reloadIfRebuilt();
    let applied = 0;
    for (;;) {
      const docs = await this.o.repo.since(this.meta.seq, 500);
      for (const d of docs) this.apply(d);
      applied += docs.length;
      if (docs.length < 500) break;
    }
    return applied;
  }

  private reloadIfRebuilt(): void {
    const p = join(this.o.dir, REGION_META_FILE);
    if (!existsSync(p)) return;
    const mtime = statSync(p).mtimeMs;
    if (mtime === this.loadedMtime) return;
    const meta = readRegionMeta(this.o.dir);
    if (!meta || meta.generation === this.meta.generation) return;
    const fresh = RegionIndex.load(this.o);
    if (!fresh) return;
    this.o.log?.(`region index rebuilt by another process (generation ${meta.generation}): loaded`);
    this.index = fresh.index;
    this.meta = fresh.meta;
    this.loadedMtime = fresh.loadedMtime;
  }

  private apply(d: RegionVectorsDoc): void {
    const base = imageKey(d._id);
    const had = this.index.contains(base);
    const old: bigint[] = [];
    for (let r = 0n; r < 256n && this.index.contains(base | r); r++) old.push(base | r);
    this.index.remove(old);
    if (d.model === this.o.model && d.dims === this.o.dims) {
      const data = d.data.buffer.subarray(0, d.data.position);
      const n = data.length / d.dims;
      const keys = Array.from({ length: n }, (_, r) => base | BigInt(r));
      this.index.add(keys, fromInt8(new Int8Array(data.buffer, data.byteOffset, data.byteLength)));
      if (!had) this.meta.images++;
    } else if (had) {
      this.meta.images--;
    }
    this.meta.seq = d.seq;
    this.meta.vectors = this.index.size();
    this.dirty = true;
  }

  /** The `k` nearest stored regions of each query region (rows of signed bytes). */
  search(queries: Int8Array, k: number): VectorHit[][] {
    return this.index.search(fromInt8(queries), k);
  }

  /** Saves the index and then its record, each atomically; a crash in between replays from the older record. */
  async flush(): Promise<void> {
    if (!this.dirty) return;
    const meta = { ...this.meta, savedAt: new Date().toISOString() };
    atomicWrite(join(this.o.dir, REGION_INDEX_FILE), (tmp) => {
      this.index.save(tmp);
      meta.fileSha256 = fileSha256(tmp);
    });
    atomicWrite(join(this.o.dir, REGION_META_FILE), (tmp) => writeFileSync(tmp, JSON.stringify(meta, null, 1), { mode: 0o600 }));
    this.loadedMtime = statSync(join(this.o.dir, REGION_META_FILE)).mtimeMs;
    this.dirty = false;
  }

  /** Keeps up with the database every `ms` (and saves what changed) until close(). */
  follow(ms = 10_000): void {
    this.timer ??= setInterval(() => {
      this.catchUp().then(() => this.flush()).catch((err: unknown) => this.o.log?.(`region index: ${err instanceof Error ? err.message : String(err)}`));
    }, ms);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.catching?.catch(() => undefined);
    await this.flush();
  }

  /** Rebuilds the index from the database alone into `dir` (clues reindex); returns its record. */
  static async rebuild(o: RegionIndexOptions): Promise<RegionIndexMeta> {
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    const idx = new RegionIndex(o, new UsearchIndex({ dims: o.dims }), RegionIndex.emptyMeta(o));
    await idx.replay();
    idx.dirty = true;
    await idx.flush();
    return idx.meta;
  }
}

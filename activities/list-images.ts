import { stagesToRerun, type ModelRef, type StageName } from '../core/clues';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { BatchItem, BatchPage, BatchSource } from '../core/batch';
import { findFiles } from '../client/find-files';
import { fileSha256 } from '../models/file-hashes';
import type { MongoClueStore } from '../store/clue-store';
import { BLOB_REF, BlobNotFoundError, type BlobStore } from '../storage/blob-store';
import { withHeartbeat } from './heartbeat';
import { imageSource } from './image-source';

/** Lines per stored piece of a listing: a page reads one or two pieces, never the whole listing. */
const CHUNK = 1000;

/**
 * A run's listing, kept in shared storage so that any worker machine can serve any page: sorted
 * (pages are stable across retries and continue-as-new), in pieces of CHUNK lines, with a head
 * written last so that a listing cut short by a crash is written again.
 */
class Listing {
  private readonly base: string;

  constructor(
    private readonly blobs: BlobStore,
    runId: string,
  ) {
    this.base = `runs/${runId.replace(/[^\w-]/g, '_')}`;
  }

  async total(source: BatchSource): Promise<number> {
    try {
      return (JSON.parse((await this.blobs.get(`${this.base}/listing.json`)).toString('utf8')) as { total: number }).total;
    } catch (err) {
      if (!(err instanceof BlobNotFoundError)) throw err;
    }
    const lines = await listSource(source);
    for (let i = 0; i * CHUNK < lines.length; i++) await this.blobs.put(this.piece(i), Buffer.from(lines.slice(i * CHUNK, (i + 1) * CHUNK).join('\n') + '\n'), 'text/tab-separated-values');
    await this.blobs.put(`${this.base}/listing.json`, Buffer.from(JSON.stringify({ total: lines.length, at: new Date().toISOString() })), 'application/json');
    return lines.length;
  }

  async lines(offset: number, n: number, total: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = Math.floor(offset / CHUNK); i * CHUNK < Math.min(offset + n, total); i++) {
      const piece = (await this.blobs.get(this.piece(i))).toString('utf8').split('\n').filter(Boolean);
      out.push(...piece.map((l, k) => [i * CHUNK + k, l] as const).filter(([at]) => at >= offset && at < offset + n).map(([, l]) => l));
    }
    return out;
  }

  private piece(i: number): string {
    return `${this.base}/files-${i.toString().padStart(6, '0')}.tsv`;
  }
}

/**
 * One page of a run's listing, each file hashed and checked against the store: up to date
 * (skipped), processed by older models (only the changed stages run), new, or unreadable.
 * `current` is the model each stage of this worker records.
 */
export function listImagesPage(store: MongoClueStore, blobs: BlobStore, current: Partial<Record<StageName, ModelRef>>) {
  return async (input: { runId: string; source: BatchSource; offset: number; pageSize: number; caseId?: string }): Promise<BatchPage> => {
    const listing = new Listing(blobs, input.runId);
    const total = await listing.total(input.source);
    const page = await listing.lines(input.offset, input.pageSize, total);
    const items: BatchItem[] = [];
    const seen = new Map<string, string>();
    await withHeartbeat(async () => {
      for (const line of page) {
        const [kind, path, reason] = line.split('\t') as [string, string, string | undefined];
        if (kind === 'S') {
          items.push({ kind: 'skipped', path, reason: reason ?? 'skipped' });
          continue;
        }
        let sha256: string;
        try {
          sha256 = await fileSha256(await imageSource(blobs, path));
        } catch (err) {
          items.push({ kind: 'failed', path, reason: `cannot read file: ${(err as Error).message}` });
          continue;
        }
        const first = seen.get(sha256);
        if (first) {
          await store.addImageSource(sha256, path, input.caseId);
          items.push({ kind: 'skipped', path, reason: `same content as ${first}` });
          continue;
        }
        seen.set(sha256, path);
        const stored = await store.getImage(sha256);
        const only = stored?.status === 'processed' ? stagesToRerun(stored.stages, current) : undefined;
        if (only && only.length === 0) {
          await store.addImageSource(sha256, path, input.caseId);
          items.push({ kind: 'skipped', path, reason: 'already processed' });
        } else if (only) {
          items.push({ kind: 'image', path, sha256, only });
        } else {
          items.push({ kind: 'image', path, sha256 });
        }
      }
    });
    const next = input.offset + page.length;
    return { items, total, nextOffset: next < total ? next : null };
  };
}

async function listSource(source: BatchSource): Promise<string[]> {
  if (source.kind === 'folder') {
    const { files, skipped } = await findFiles([source.path]);
    return [...files.map((f) => `F\t${f.path}`), ...skipped.map((s) => `S\t${s.path}\t${s.reason}`)];
  }
  // A manifest: one path per line, relative to the manifest's folder, or a `blob:` key of the
  // shared store; # starts a comment.
  const base = dirname(resolve(source.path));
  return (await readFile(source.path, 'utf8'))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((p) => `F\t${p.startsWith(BLOB_REF) || isAbsolute(p) ? p : join(base, p)}`);
}

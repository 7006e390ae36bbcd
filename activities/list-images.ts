import { stagesToRerun, type ModelRef, type StageName } from '../core/clues';
import { ApplicationFailure } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { BatchItem, BatchPage, BatchSource } from '../core/batch';
import { findFiles } from '../usecases/find-files';
import { fileSha256 } from '../models/file-hashes';
import type { Store } from '../store';
import { BLOB_REF, BlobNotFoundError, type BlobStore } from '../blobs/blob-store';
import { withHeartbeat } from './heartbeat';
import { imageSource } from './image-source';

/** Entries per stored piece of a listing: a page reads one or two pieces, never the whole listing. */
const CHUNK = 1000;

/**
 * How a listing is written. File names may hold any byte but `/` and NUL (newlines and tabs
 * included), so each entry is one JSON object per line, which no name can break out of: a file
 * to read ({"k":"F","p":path}) or one skipped with its reason ({"k":"S","p":path,"r":reason}).
 * Version 1 was tab-separated text without escaping, which file names could forge.
 */
const FORMAT = 'jsonl-2';
const Entry = z.discriminatedUnion('k', [
  z.strictObject({ k: z.literal('F'), p: z.string().min(1) }),
  z.strictObject({ k: z.literal('S'), p: z.string(), r: z.string() }),
  // A failure found while listing (a folder that cannot be read); listings before it have none.
  z.strictObject({ k: z.literal('X'), p: z.string(), r: z.string() }),
]);
type Entry = z.infer<typeof Entry>;
const Head = z.object({ format: z.literal(FORMAT), total: z.number().int().min(0), root: z.string().min(1) });
type Head = z.infer<typeof Head>;

/**
 * A run's listing, kept in shared storage so that any worker machine can serve any page: sorted
 * (pages are stable across retries and continue-as-new), in pieces of CHUNK entries, with a head
 * written last so that a listing cut short by a crash is written again. The head also keeps the
 * run's root (the real path of the folder, or of the manifest's folder): nothing outside it is read.
 */
class Listing {
  private readonly base: string;

  constructor(
    private readonly blobs: BlobStore,
    private readonly runId: string,
  ) {
    this.base = `runs/${runId.replace(/[^\w-]/g, '_')}`;
  }

  async head(source: BatchSource): Promise<Head> {
    let stored: unknown;
    try {
      stored = JSON.parse((await this.blobs.get(`${this.base}/listing.json`)).toString('utf8'));
    } catch (err) {
      if (!(err instanceof BlobNotFoundError)) throw err;
    }
    if (stored !== undefined) {
      const head = Head.safeParse(stored);
      if (head.success) return head.data;
      // A run in flight across an upgrade: its listing cannot be told from one a file name forged.
      throw ApplicationFailure.nonRetryable(
        `run ${this.runId}'s listing was written by an earlier version in a format that file names can forge; it is not read. Start the run again (\`clues run ${source.path}\`): processed images are skipped.`,
        'OldListing',
      );
    }
    const { root, entries } = await listSource(source);
    for (let i = 0; i * CHUNK < entries.length; i++) {
      const lines = entries.slice(i * CHUNK, (i + 1) * CHUNK).map((e) => JSON.stringify(e) + '\n');
      await this.blobs.put(this.piece(i), Buffer.from(lines.join('')), 'application/jsonl');
    }
    const head: Head = { format: FORMAT, total: entries.length, root };
    await this.blobs.put(`${this.base}/listing.json`, Buffer.from(JSON.stringify({ ...head, at: new Date().toISOString() })), 'application/json');
    return head;
  }

  /** Entries [offset, offset + n); one per listed file, whatever it is named. */
  async entries(offset: number, n: number, total: number): Promise<Entry[]> {
    const out: Entry[] = [];
    for (let i = Math.floor(offset / CHUNK); i * CHUNK < Math.min(offset + n, total); i++) {
      const lines = (await this.blobs.get(this.piece(i))).toString('utf8').split('\n');
      lines.pop(); // every entry ends with a newline
      lines.forEach((line, k) => {
        const at = i * CHUNK + k;
        if (at < offset || at >= offset + n) return;
        const entry = Entry.safeParse(safeJson(line));
        out.push(entry.success ? entry.data : { k: 'S', p: `(entry ${at})`, r: 'unreadable listing entry' });
      });
    }
    return out;
  }

  private piece(i: number): string {
    return `${this.base}/files-${i.toString().padStart(6, '0')}.jsonl`;
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * One page of a run's listing, each file hashed and checked against the store: up to date
 * (skipped), processed by older models (only the changed stages run), new, unreadable, or outside
 * the run's root (refused, never read). `current` is the model each stage of this worker records.
 * One item per listed entry, so that found = done + skipped + failed.
 */
export function listImagesPage(store: Store, blobs: BlobStore, current: Record<StageName, ModelRef | undefined>) {
  return async (input: { runId: string; source: BatchSource; offset: number; pageSize: number; caseId?: string }): Promise<BatchPage> => {
    const listing = new Listing(blobs, input.runId);
    const items: BatchItem[] = [];
    const seen = new Map<string, string>();
    // Listing a large folder takes longer than the heartbeat timeout too.
    const { total, page } = await withHeartbeat(async () => {
      const { total, root } = await listing.head(input.source);
      const page = await listing.entries(input.offset, input.pageSize, total);
      for (const entry of page) {
        if (entry.k === 'S' || entry.k === 'X') {
          items.push({ kind: entry.k === 'S' ? 'skipped' : 'failed', path: entry.p, reason: entry.r });
          continue;
        }
        const read = await hashInside(blobs, root, entry.p);
        if ('failed' in read) {
          items.push({ kind: 'failed', path: entry.p, reason: read.failed });
          continue;
        }
        // The image workflow reads the real path that was checked; reports name the file as listed.
        const { path, sha256 } = read;
        const first = seen.get(sha256);
        if (first) {
          await store.images.addSource(sha256, path, input.caseId);
          items.push({ kind: 'skipped', path: entry.p, reason: `same content as ${first}` });
          continue;
        }
        seen.set(sha256, path);
        const stored = await store.images.get(sha256);
        const only = stored?.status === 'processed' ? stagesToRerun(stored.stages, current) : undefined;
        if (only && only.length === 0) {
          await store.images.addSource(sha256, path, input.caseId);
          items.push({ kind: 'skipped', path: entry.p, reason: 'already processed' });
        } else if (only) {
          items.push({ kind: 'image', path, sha256, only });
        } else {
          items.push({ kind: 'image', path, sha256 });
        }
      }
      return { total, page };
    });
    const next = input.offset + page.length;
    return { items, total, nextOffset: next < total ? next : null };
  };
}

/** `path` is below `root` (both absolute and resolved); a name such as `..x` is not a way up. */
const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
};

/**
 * The SHA-256 of a listed file, read only if it lies inside `root`: first by its name (no look
 * outside at all), then by its real path (a symlink anywhere on the way may lead out). The real
 * path is what the image workflow then reads; a FIFO or device is refused, never opened for reading.
 * A `blob:` key is read from the shared store.
 */
async function hashInside(blobs: BlobStore, root: string, listed: string): Promise<{ path: string; sha256: string } | { failed: string }> {
  const refused = { failed: `refused: outside the run's folder ${root}, not read` };
  try {
    if (listed.startsWith(BLOB_REF)) return { path: listed, sha256: await fileSha256(await imageSource(blobs, listed)) };
    if (!isAbsolute(listed) || !inside(root, resolve(listed))) return refused;
    const real = await realpath(listed);
    if (!inside(root, real)) return refused;
    // O_NOFOLLOW: a symlink swapped in after realpath is not followed; O_NONBLOCK: a FIFO does not hang.
    const fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!(await fh.stat()).isFile()) return { failed: 'not a regular file' };
      const h = createHash('sha256');
      for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) h.update(chunk as Buffer);
      return { path: real, sha256: h.digest('hex') };
    } finally {
      await fh.close();
    }
  } catch (err) {
    return { failed: `cannot read file: ${(err as Error).message}` };
  }
}

/**
 * A run's source as listing entries, with its root.
 * - A folder: every regular file below it (symlinks are skipped, not followed). Root: the folder.
 * - A manifest: one entry per line, a path relative to the manifest's folder (or absolute inside
 *   it) or a `blob:` key of the shared store; `#` starts a comment. Root: the manifest's folder,
 *   so a manifest can name nothing outside its own folder (`..`, absolute paths elsewhere and
 *   symlinks leading out are refused). A name with a newline cannot be written in a manifest:
 *   run its folder instead.
 */
async function listSource(source: BatchSource): Promise<{ root: string; entries: Entry[] }> {
  if (source.kind === 'folder') {
    // A folder that has gone (an unmounted share) or cannot be read is listed as one failure with its reason.
    const root = await realpath(source.path).catch(() => resolve(source.path));
    const { files, skipped, failed } = await findFiles([root]);
    return {
      root,
      entries: [
        ...files.map((f): Entry => ({ k: 'F', p: f.path })),
        ...skipped.map((s): Entry => ({ k: 'S', p: s.path, r: s.reason })),
        ...failed.map((s): Entry => ({ k: 'X', p: s.path, r: s.reason })),
      ],
    };
  }
  // Refused before it is read: a FIFO named as a manifest would hang the listing.
  const bad = (why: string) => ApplicationFailure.nonRetryable(`cannot read the manifest ${source.path}: ${why}`, 'BadManifest');
  const s = await stat(source.path).catch((err: Error) => {
    throw bad(err.message);
  });
  if (!s.isFile()) throw bad('not a regular file');
  const root = await realpath(dirname(source.path));
  const entries = (await readFile(source.path, 'utf8'))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((p): Entry => ({ k: 'F', p: p.startsWith(BLOB_REF) ? p : resolve(root, p) }));
  return { root, entries };
}

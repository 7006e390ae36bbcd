import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

// Where the files the pipeline derives from evidence live: object crops, keypoint files,
// published crops and uploaded query images. One interface, two kinds: a directory (the data
// folder, or a share every worker mounts) and an S3-compatible bucket (s3-blob-store.ts). Keys
// are relative paths such as `crops/ab/<sha256>-cup-1-2-3-4.jpg`, the same for both kinds, and
// are what clues and image records store.

export interface BlobStore {
  /** Where the blobs are, for logs and errors; never carries credentials. */
  readonly location: string;
  put(key: string, data: Buffer, contentType?: string): Promise<void>;
  /** The blob's bytes; throws BlobNotFoundError when there is none. */
  get(key: string): Promise<Buffer>;
  has(key: string): Promise<boolean>;
  /** Removes the blob; removing one that is not there is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Every blob under a folder (`uploads` lists `uploads/...` at any depth) with the time it was
   * last written, in no particular order. For housekeeping of small folders, not for crops.
   */
  list(folder: string): AsyncIterable<BlobEntry>;
  /** Fails with a clear message when the store cannot be reached or written (start-up check). */
  check(): Promise<void>;
}

export interface BlobEntry {
  key: string;
  modified: Date;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no stored file ${key}`);
    this.name = 'BlobNotFoundError';
  }
}

const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

export const isKey = (key: string): boolean => KEY.test(key) && !key.split('/').some((s) => s === '.' || s === '..');

/** Keys come from hashes and labels, never from clients; still, refuse anything path-like. */
export function assertKey(key: string): string {
  if (!isKey(key)) throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
  return key;
}

/** Image references that name a stored blob rather than a file: `blob:uploads/<sha256>`. */
export const BLOB_REF = 'blob:';
export const blobRef = (key: string) => `${BLOB_REF}${assertKey(key)}`;
export const blobKeyOf = (ref: string): string | null => (ref.startsWith(BLOB_REF) ? assertKey(ref.slice(BLOB_REF.length)) : null);

/**
 * What image code reads for an image reference: a file path as it is, or for a `blob:`
 * reference the stored bytes (BlobNotFoundError when there are none).
 */
export async function readImageRef(blobs: BlobStore, ref: string): Promise<string | Buffer> {
  const key = blobKeyOf(ref);
  return key ? blobs.get(key) : ref;
}

export class FileBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  get location(): string {
    return this.root;
  }

  /** The file behind a key (for servers that send files directly). */
  path(key: string): string {
    return join(this.root, assertKey(key));
  }

  async put(key: string, data: Buffer): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename: a reader never sees half a file, and a crashed write leaves no blob.
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, path);
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await stat(this.path(key))).isFile();
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  async *list(folder: string): AsyncIterable<BlobEntry> {
    const walk = async function* (dir: string, prefix: string): AsyncIterable<BlobEntry> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        const key = `${prefix}/${e.name}`;
        if (!isKey(key)) continue; // not a name this store writes
        if (e.isDirectory()) yield* walk(join(dir, e.name), key);
        else if (e.isFile()) {
          // Gone between listing and stat (another process swept it): not an entry any more.
          const st = await stat(join(dir, e.name)).catch(() => null);
          if (st) yield { key, modified: st.mtime };
        }
      }
    };
    yield* walk(this.path(folder), folder);
  }

  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await this.put('health/probe', Buffer.from('ok'));
  }
}

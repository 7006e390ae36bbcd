import { stagesToRerun, type ModelRef, type StageName } from '../core/clues';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { BatchItem, BatchPage, BatchSource } from '../core/batch';
import { findFiles } from '../client/find-files';
import { fileSha256 } from '../models/file-hashes';
import type { MongoClueStore } from '../store/clue-store';
import { withHeartbeat } from './heartbeat';

/**
 * One page of a batch's files. The first call writes the run's listing to the data folder
 * (sorted, so pages are stable across retries and continue-as-new); each page hashes its files
 * and leaves out what the store has already processed.
 */
/**
 * One page of a run's listing, each file hashed and checked against the store: up to date
 * (skipped), processed by older models (only the changed stages run), new, or unreadable.
 * `current` is the model each stage of this worker records.
 */
export function listImagesPage(store: MongoClueStore, dataDir: string, current: Partial<Record<StageName, ModelRef>>) {
  return async (input: { runId: string; source: BatchSource; offset: number; pageSize: number; caseId?: string }): Promise<BatchPage> => {
    const listing = join(dataDir, 'runs', input.runId.replace(/[^\w.-]/g, '_'), 'files.tsv');
    if (!existsSync(listing)) await writeListing(listing, input.source);
    const lines = (await readFile(listing, 'utf8')).split('\n').filter(Boolean);
    const page = lines.slice(input.offset, input.offset + input.pageSize);
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
          sha256 = await fileSha256(path);
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
    return { items, total: lines.length, nextOffset: next < lines.length ? next : null };
  };
}

async function writeListing(listing: string, source: BatchSource): Promise<void> {
  let lines: string[];
  if (source.kind === 'folder') {
    const { files, skipped } = await findFiles([source.path]);
    lines = [...files.map((f) => `F\t${f.path}`), ...skipped.map((s) => `S\t${s.path}\t${s.reason}`)];
  } else {
    // A manifest: one path per line, relative to the manifest's folder; # starts a comment.
    const base = dirname(resolve(source.path));
    lines = (await readFile(source.path, 'utf8'))
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((p) => `F\t${isAbsolute(p) ? p : join(base, p)}`);
  }
  await mkdir(dirname(listing), { recursive: true });
  await writeFile(`${listing}.tmp`, lines.join('\n') + '\n');
  // Rename is atomic: a retried first page never reads half a listing.
  await rename(`${listing}.tmp`, listing);
}

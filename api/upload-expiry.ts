import { logger } from '../core/log';
import type { BlobStore } from '../blobs/blob-store';
import { UPLOADS } from './uploads';

const log = logger('api');

/**
 * Deletes the uploaded query images written more than `ttlHours` before `now`; returns how many.
 * Safe with several API processes sweeping the same store: a delete of a deleted blob is a no-op,
 * and upload names are never reused, so nothing newer is ever caught.
 */
export async function expireUploads(blobs: BlobStore, ttlHours: number, now = new Date()): Promise<number> {
  const cutoff = now.getTime() - ttlHours * 3_600_000;
  let deleted = 0;
  for await (const { key, modified } of blobs.list(UPLOADS)) {
    if (modified.getTime() >= cutoff) continue;
    await blobs.delete(key);
    deleted++;
  }
  return deleted;
}

/**
 * Sweeps now, then every quarter of the time to live (at least a minute, at most an hour), so an
 * upload outlives its time by at most that much. Failures are logged and retried next time.
 */
export function scheduleUploadExpiry(blobs: BlobStore, ttlHours: number): { stop(): void } {
  const every = Math.min(3_600_000, Math.max(60_000, (ttlHours * 3_600_000) / 4));
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const deleted = await expireUploads(blobs, ttlHours);
      if (deleted) log.info({ deleted, ttlHours }, 'expired uploads deleted');
    } catch (err) {
      log.warn({ err }, 'uploads not swept (tried again later)');
    } finally {
      running = false;
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), every);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

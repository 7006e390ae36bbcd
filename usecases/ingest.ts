import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { ProcessImageResult } from '../core/clues';
import { failureReason } from '../core/failures';
import { fileSha256 } from '../models/file-hashes';
import type { Store } from '../store';
import type { processImage } from '../workflows';
import { findFiles } from './find-files';
import { imageWorkflowId } from '../client/temporal-client';

export interface IngestProgress {
  total: number;
  done: number;
  processed: number;
  failed: number;
  duplicates: number;
}

export interface IngestSummary extends IngestProgress {
  /** Workflows started but not waited for. */
  started: number;
  failures: { path: string; reason: string }[];
  duplicateOf: { path: string; sha256: string; reason: string }[];
  skipped: { path: string; reason: string }[];
  results: { path: string; sha256: string; result: ProcessImageResult }[];
}

export interface IngestOptions {
  wait: boolean;
  taskQueue: string;
  caseId?: string;
  onProgress?: (p: IngestProgress) => void;
}


/**
 * Starts one `processImage` workflow per distinct image. Images already processed, or repeated in
 * this ingest, are counted as duplicates and their extra path is recorded. With `wait`, every
 * image ends up counted once: processed + failed + duplicates = found.
 */
export async function ingest(paths: string[], client: Client, store: Store, opts: IngestOptions): Promise<IngestSummary> {
  const { files, skipped, failed } = await findFiles(paths);
  // An unreadable folder is a failure of its own (its files were never seen).
  const s: IngestSummary = {
    total: files.length + failed.length, done: failed.length, processed: 0, failed: failed.length, duplicates: 0, started: 0,
    failures: [...failed], duplicateOf: [], skipped, results: [],
  };
  const progress = () => opts.onProgress?.({ total: s.total, done: s.done, processed: s.processed, failed: s.failed, duplicates: s.duplicates });
  const seen = new Map<string, string>();
  const waiting: Promise<void>[] = [];
  const duplicate = (path: string, sha256: string, reason: string) => {
    s.duplicates++;
    s.done++;
    s.duplicateOf.push({ path, sha256, reason });
    progress();
  };

  for (const { path } of files) {
    let sha256: string;
    try {
      sha256 = await fileSha256(path);
    } catch (err) {
      s.failed++;
      s.done++;
      s.failures.push({ path, reason: `cannot read file: ${(err as Error).message}` });
      progress();
      continue;
    }
    const first = seen.get(sha256);
    if (first) {
      duplicate(path, sha256, `same content as ${first}`);
      await store.images.addSource(sha256, path, opts.caseId);
      continue;
    }
    seen.set(sha256, path);
    const known = await store.images.get(sha256);
    if (known?.status === 'processed') {
      duplicate(path, sha256, 'already processed');
      await store.images.addSource(sha256, path, opts.caseId);
      continue;
    }

    let handle: WorkflowHandle<typeof processImage>;
    try {
      handle = await client.workflow.start<typeof processImage>('processImage', {
        workflowId: imageWorkflowId(sha256),
        taskQueue: opts.taskQueue,
        args: [{ path, sha256, ...(opts.caseId ? { caseId: opts.caseId } : {}) }],
        // The store is the record of what is done (checked above). A closed run whose results the
        // store lacks (failed, or the store was restored from an older backup) may run again;
        // a running one may not (WORKFLOW_ID_CONFLICT_POLICY_FAIL, the default).
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      s.started++;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      duplicate(path, sha256, 'already in progress');
      await store.images.addSource(sha256, path, opts.caseId);
      continue;
    }
    if (!opts.wait) continue;
    waiting.push(
      handle.result().then(
        (result) => {
          s.processed++;
          s.results.push({ path, sha256, result });
        },
        (err: unknown) => {
          s.failed++;
          s.failures.push({ path, reason: failureReason(err) });
        },
      ).finally(() => {
        s.done++;
        progress();
      }),
    );
  }
  await Promise.all(waiting);
  return s;
}

import type { ImageRef, StageOutcome } from '../core/clues';
import type { ImageEngine } from '../engine/image-engine';
import { fileDigests } from '../models/file-hashes';
import type { BlobStore } from '../blobs/blob-store';
import { engineInput, imageSource } from './image-source';
import { asActivityError } from './errors';
import { PDQ_MODEL } from './stage-models';

/** MD5 and SHA-1 for hash-list matching (Project VIC), PDQ for near-duplicates. */
export function hashImage(engine: ImageEngine, blobs: BlobStore) {
  return (ref: ImageRef): Promise<StageOutcome> =>
    asActivityError(async () => {
      const started = Date.now();
      const src = await imageSource(blobs, ref.path);
      const [digests, pdq] = await Promise.all([fileDigests(src), engine.pdq(engineInput(src, ref.sha256))]);
      return {
        stage: 'hashes',
        status: 'ok',
        model: PDQ_MODEL,
        clues: [],
        data: { md5: digests.md5, sha1: digests.sha1, pdq },
        durationMs: Date.now() - started,
      };
    });
}

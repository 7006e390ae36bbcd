import type { ModelRef } from '../core/clues';
import { fileDigests } from '../models/file-hashes';
import type { StageDefinition } from './stage';

export const PDQ_MODEL: ModelRef = { name: 'pdq', version: '1.0-ts' };

/** MD5 and SHA-1 for hash-list matching (Project VIC), PDQ for near-duplicates. */
export const hashImage: StageDefinition<'hashes'> = {
  ownModel: PDQ_MODEL,
  async run(ctx) {
    const [digests, pdq] = await Promise.all([ctx.source().then(fileDigests), ctx.engine()]);
    return { data: { md5: digests.md5, sha1: digests.sha1, pdq } };
  },
};

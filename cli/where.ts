import { randomUUID } from 'node:crypto';
import type { Config } from '../core/config';
import type { Store } from '../store';
import type { WhereResult } from '../where';
import { connect } from './commands';
import { UserError } from './user-error';
import type { locateSeries } from '../workflows';

const pct = (p: number) => `${(100 * p).toFixed(0)}%`;

/** A ranking with its evidence, as an analyst reads it in a terminal. */
export function formatWhere(r: WhereResult): string {
  if (r.noEvidence) return 'no evidence of where the image was taken';
  const lines: string[] = [];
  for (const [i, c] of r.countries.slice(0, 5).entries()) {
    lines.push(`${i + 1}. ${c.name} (${c.country})  ${pct(c.probability)}`);
    for (const e of c.for.slice(0, 4)) lines.push(`     + ${e.why}${e.inherited ? ' (inherited)' : ''}`);
    for (const e of c.against.slice(0, 2)) lines.push(`     - ${e.why}`);
  }
  for (const g of r.regions.slice(0, 3)) lines.push(`near ${g.name}${g.country ? ` (${g.country})` : ''}`);
  if (r.time) lines.push(`taken between ${r.time.window.from} and ${r.time.window.to}${r.time.for[0] ? `: ${r.time.for[0].why}` : ''}`);
  return lines.join('\n');
}

/** `clues where <sha256> [--series]`: the stored ranking, or the series' (computed on a worker). */
export async function whereCommand(cfg: Config, store: Store, sha256: string, opts: { series: boolean; json: boolean }): Promise<WhereResult> {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('usage: clues where <sha256> [--series] [--json]');
  const image = await store.images.get(sha256);
  if (!image) throw new UserError(`no image ${sha256} in the store`);
  let result: WhereResult;
  if (opts.series) {
    const client = await connect(cfg);
    try {
      result = await client.workflow.execute<typeof locateSeries>('locateSeries', { workflowId: `where-series-${sha256.slice(0, 16)}-${randomUUID()}`, taskQueue: cfg.taskQueues.io, args: [{ sha256, minStrength: 0.5 }] });
    } finally {
      await client.connection.close();
    }
  } else {
    if (!image.where) throw new UserError(`where and when has not been weighed for ${sha256} yet (it is, once the image is processed)`);
    result = image.where;
  }
  console.log(opts.json ? JSON.stringify(result, null, 2) : formatWhere(result));
  return result;
}

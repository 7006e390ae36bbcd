import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Config } from '../core/config';
import { openStore } from '../store';
import { exportCaseTao } from '../usecases/tao-export';
import { UnreachableError } from './user-error';

/**
 * `clues export tao --case ID [--out FILE]`: a case's Trace-an-Object objects, their tips (no
 * contact details, taggers as pseudonyms) and outcomes as JSON, for the receiving country. Audited.
 */
export async function exportTaoCommand(cfg: Config, opts: { caseId?: string; out?: string }): Promise<void> {
  if (!opts.caseId) throw new Error('usage: clues export tao --case ID [--out FILE]');
  let store;
  try {
    store = await openStore(cfg.mongo.uri, cfg.mongo.dbName);
  } catch (err) {
    throw new UnreachableError(`cannot reach the clue store at ${cfg.mongo.anonymousUri} (${(err as Error).message}); is \`clues up\` running?`, { cause: err });
  }
  try {
    const data = await exportCaseTao(store, opts.caseId);
    const json = JSON.stringify(data, null, 2);
    const tips = data.objects.reduce((n, o) => n + o.tips.length, 0);
    await store.audit.write({ actor: `cli:${userInfo().username}`, action: 'export-tao', target: opts.caseId, detail: { objects: data.objects.length, tips, ...(opts.out ? { out: resolve(opts.out) } : {}) } });
    if (opts.out) {
      await writeFile(resolve(opts.out), json);
      console.error(`wrote ${data.objects.length} objects and ${tips} tips of case ${opts.caseId} to ${resolve(opts.out)}`);
    } else {
      console.log(json);
    }
  } finally {
    await store.close();
  }
}

import { createHash } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { RunItem, RunItemKind } from '../core/batch';
import type { ClueDatabase, IndexSpec } from './database';

// Every file of a batch run that did not end done, with its reason: failed, partial (a stage
// failed) or skipped. The run's own state keeps only the newest hundred; here all of them are
// kept, one document per run and place in the run's listing (a retried write lands on the same
// document), and read page by page in listing order.

export interface RunItemDoc extends RunItem {
  _id: string;
  run: string;
  at: Date;
}

export interface RunItemPage {
  items: RunItem[];
  /** Pass as `after` for the next page; absent on the last. */
  next?: number;
}

/** Most items one page returns. */
export const MAX_RUN_ITEMS_PAGE = 1000;

const itemId = (run: string, n: number) => createHash('sha256').update(`${run}\u0000${n}`).digest('hex');

export class RunItemRepository {
  private readonly items: Collection<RunItemDoc>;
  static readonly indexes: IndexSpec[] = [{ collection: 'run_items', index: { key: { run: 1, kind: 1, n: 1 }, name: 'run_kind_n' } }];

  constructor(db: ClueDatabase) {
    this.items = db.collection<RunItemDoc>('run_items');
  }

  /** Idempotent: one document per place in the listing, its kind and reason the latest. */
  async record(run: string, items: RunItem[]): Promise<void> {
    if (items.length === 0) return;
    const at = new Date();
    await this.items.bulkWrite(
      items.map((i) => {
        const doc: RunItemDoc = { _id: itemId(run, i.n), run, kind: i.kind, path: i.path, reason: i.reason, n: i.n, at };
        return { replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } };
      }),
      { ordered: false },
    );
  }

  /** One page of a run's items of one kind, in listing order, from after place `after`. */
  async page(run: string, kind: RunItemKind, opts: { after?: number; limit: number }): Promise<RunItemPage> {
    const limit = Math.max(1, Math.min(MAX_RUN_ITEMS_PAGE, opts.limit));
    const filter = { run, kind, ...(opts.after !== undefined ? { n: { $gt: opts.after } } : {}) };
    const docs = await this.items.find(filter, { projection: { _id: 0, kind: 1, path: 1, reason: 1, n: 1 } }).sort({ run: 1, kind: 1, n: 1 }).limit(limit + 1).toArray();
    const items = docs.slice(0, limit).map((d) => ({ kind: d.kind, path: d.path, reason: d.reason, n: d.n }));
    return { items, ...(docs.length > limit ? { next: items[items.length - 1]!.n } : {}) };
  }

  /** Every item of a run of one kind (the CLI's final report), read page by page. */
  async *all(run: string, kind: RunItemKind): AsyncGenerator<RunItem> {
    let after: number | undefined;
    do {
      const page = await this.page(run, kind, { limit: MAX_RUN_ITEMS_PAGE, ...(after !== undefined ? { after } : {}) });
      yield* page.items;
      after = page.next;
    } while (after !== undefined);
  }
}

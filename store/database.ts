import { MongoClient, type ClientSession, type Collection, type Db, type Document, type IndexDescription } from 'mongodb';

/** An index a repository needs, on one of its collections. */
export interface IndexSpec {
  collection: string;
  index: IndexDescription & { name: string };
}

/**
 * The one database handle the repositories share. It sticks to what both the embedded
 * SecantusDB and a MongoDB replica set serve the same way: plain indexes (single, compound,
 * multikey), equality / $in / range filters, sorts an index provides, and multi-document
 * transactions. No $text, no Atlas search, no server-side JavaScript.
 */
export class ClueDatabase {
  private constructor(
    private readonly client: MongoClient,
    readonly db: Db,
  ) {}

  /** `observe` sees every command sent (the tests that check each query's plan use it). */
  static async connect(uri: string, dbName: string, observe?: (command: Document) => void): Promise<ClueDatabase> {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 20, monitorCommands: observe !== undefined });
    if (observe) client.on('commandStarted', (e) => observe(e.command));
    await client.connect();
    return new ClueDatabase(client, client.db(dbName));
  }

  collection<T extends Document>(name: string): Collection<T> {
    return this.db.collection<T>(name);
  }

  /**
   * Creates the indexes that are missing, one command each. They are created when a collection
   * is new and empty: the embedded server cannot build a multikey index over existing documents
   * that do not fit its cache (it retries for ever), so an index is never added to a full
   * collection behind the operator's back (see docs/search.md, "Changing an index").
   */
  async ensureIndexes(specs: IndexSpec[]): Promise<void> {
    const byCollection = new Map<string, IndexSpec[]>();
    for (const s of specs) byCollection.set(s.collection, [...(byCollection.get(s.collection) ?? []), s]);
    for (const [name, wanted] of byCollection) {
      const have = new Set((await this.db.collection(name).listIndexes().toArray().catch(() => [])).map((i) => i.name as string));
      const missing = wanted.filter((w) => !have.has(w.index.name));
      if (missing.length === 0) continue;
      if (have.size > 0 && (await this.db.collection(name).estimatedDocumentCount()) > 0) {
        throw new Error(
          `collection ${name} holds documents but lacks the index(es) ${missing.map((m) => m.index.name).join(', ')}: ` +
            'this store was made by another version; see docs/search.md ("Changing an index")',
        );
      }
      for (const m of missing) await this.db.collection(name).createIndexes([m.index]);
    }
  }

  /** Runs `work` in a transaction, retried by the driver on transient conflicts. */
  async transaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
    return this.client.withSession((session) => session.withTransaction(() => work(session)));
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { clientDataConverter, temporalConnectionOptions, workerDataConverter } from '../../client/temporal-client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities, withRunStages, type ActivityDeps } from '../../activities';
import type { BlobStore } from '../../blobs/blob-store';
import { openBlobStore } from '../../blobs/open';
import { loadConfig, type Config } from '../../core/config';
import type { EngineProcess } from '../../engine/engine-process';
import { startEngine } from '../../engine/start-engine';
import { openStore, type Store } from '../../store';
import { createWorkers, ownQueueName } from '../../worker/create-workers';
import { REGION_DIMS, REGION_MODEL } from '../../models/region-descriptors';
import { RegionIndex } from '../../vectors/region-index';

// Workers log at WARN in tests: state changes at INFO drown the test report.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  /* already installed in this process */
}

export type Activities = ReturnType<typeof createActivities>;

export interface TestContext {
  cfg: Config;
  dbName: string;
  store: Store;
  client: Client;
  /** The real engine process, as the worker runs it. */
  engine: EngineProcess;
  /** The region index of this test's database (in the test data folder). */
  index: RegionIndex;
  /** Runs `fn` while real workers poll a fresh task queue (and its -cpu twin). */
  withWorker<T>(fn: (taskQueue: string) => Promise<T>, wrap?: (a: Activities) => Activities): Promise<T>;
  close(): Promise<void>;
}

/** Real services for one test file: its own database, the shared Temporal dev server. */
export async function openTestContext(name: string, opts: { blobs?: BlobStore; engineEnv?: NodeJS.ProcessEnv; workflowBundle?: string } = {}): Promise<TestContext> {
  const cfg = loadConfig();
  const dbName = `test_${name}_${Date.now().toString(36)}`;
  const store = await openStore(cfg.mongo.uri, dbName);
  const connection = await Connection.connect(temporalConnectionOptions(cfg.temporal));
  const client = new Client({ connection, namespace: cfg.temporal.namespace, dataConverter: clientDataConverter(cfg) });
  const engine = await startEngine(cfg, { env: opts.engineEnv ?? {} });
  const nativeConnection = await NativeConnection.connect(temporalConnectionOptions(cfg.temporal));
  const index = await RegionIndex.open({ dir: join(cfg.dataDir, 'vectors', dbName), model: REGION_MODEL, dims: REGION_DIMS, repo: store.regions });
  const deps: Omit<ActivityDeps, 'ownQueue'> = { store, engine, blobs: opts.blobs ?? openBlobStore(cfg.storage), index };
  return {
    cfg,
    dbName,
    store,
    client,
    engine,
    index,
    async withWorker(fn, wrap = (a) => a) {
      const taskQueue = `test-${name}-${randomUUID()}`;
      const queues = { io: taskQueue, cpu: `${taskQueue}-cpu`, own: ownQueueName(`${taskQueue}-cpu`) };
      const [io, cpu, own] = await createWorkers({
        connection: nativeConnection,
        namespace: cfg.temporal.namespace,
        queues,
        activities: withRunStages(wrap(createActivities({ ...deps, ownQueue: queues.own }))),
        concurrency: { io: 8, cpu: 2 },
        workflows: { workflowBundle: { codePath: opts.workflowBundle ?? join(cfg.root, 'tests', '.tmp', 'workflow-bundle.js') } },
        dataConverter: workerDataConverter(cfg),
      });
      return io!.runUntil(cpu!.runUntil(own!.runUntil(fn(taskQueue))));
    },
    async close() {
      await index.close();
      await store.close();
      await connection.close();
      await nativeConnection.close();
      await engine.close();
    },
  };
}


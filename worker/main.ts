import { Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadConfig } from '../core/config';
import { startEngine } from '../engine/start-engine';
import { MongoClueStore } from '../store/clue-store';
import { openBlobStore } from '../storage/open';
import { connectWorker, createWorkers } from './create-workers';

async function main(): Promise<void> {
  const cfg = loadConfig();
  Runtime.install({ shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const store = await MongoClueStore.connect(cfg.mongo.uri, cfg.mongo.dbName);
  const blobs = openBlobStore(cfg.storage);
  await blobs.check(); // a worker that cannot keep its crops must not take work
  console.log(`[worker] storage: ${blobs.location}`);
  const engine = await startEngine(cfg);
  const m = engine.models;
  for (const [name, a] of [['objects', m.objects], ...m.text.map((t) => ['text', t] as const), ['features', m.embedder], ['scene', m.scene]] as const) {
    console.log(`[worker] ${name}: ${a.ok ? `${a.model.name} ${a.model.version}` : `unavailable (${a.reason})`}`);
  }
  const connection = await connectWorker(cfg);
  const workers = await createWorkers({
    connection,
    namespace: cfg.temporal.namespace,
    queues: cfg.taskQueues,
    activities: createActivities({ store, engine, blobs }),
    concurrency: { io: cfg.worker.ioConcurrency, cpu: cfg.worker.cpuConcurrency },
    workflows: { workflowsPath: require.resolve('../workflows') },
  });
  console.log(`[worker] polling ${cfg.taskQueues.io} and ${cfg.taskQueues.cpu} on ${cfg.temporal.address}`);
  try {
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
    await engine.close();
    await store.close();
  }
}

main().catch((err) => {
  console.error('[worker] fatal:', err);
  process.exit(1);
});

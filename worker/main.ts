import { Runtime } from '@temporalio/worker';
import { workerDataConverter } from '../client/temporal-client';
import { createActivities, withRunStages } from '../activities';
import { loadConfig } from '../core/config';
import { restrictFileModes } from '../core/file-permissions';
import { logger } from '../core/log';
import { startEngines } from '../engine/start-engine';
import { openStore } from '../store';
import { openBlobStore } from '../blobs/open';
import { openRegionIndex } from '../vectors/open-region-index';
import { connectWorker, createWorkers, ownQueueName } from './create-workers';

const log = logger('worker');

async function main(): Promise<void> {
  restrictFileModes(); // crops, keypoints and logs are the owner's alone
  const cfg = loadConfig();
  Runtime.install({ shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const store = await openStore(cfg.mongo.uri, cfg.mongo.dbName);
  const blobs = openBlobStore(cfg.storage);
  await blobs.check(); // a worker that cannot keep its crops must not take work
  log.info({ storage: blobs.location }, 'storage checked');
  const engineLog = logger('engine');
  const engine = await startEngines(cfg, { log: (m) => engineLog.warn(m) });
  const queues = { ...cfg.taskQueues, own: ownQueueName(cfg.taskQueues.cpu) };
  const m = engine.models;
  for (const [name, a] of [['objects', m.objects], ...m.text.map((t) => ['text', t] as const), ['features', m.embedder], ['scene', m.scene]] as const) {
    if (a.ok) log.info({ stage: name, model: a.model.name, version: a.model.version }, 'model loaded');
    else log.warn({ stage: name, reason: a.reason }, 'model unavailable');
  }
  // The region index (derived data in the data folder): replayed from the database on start,
  // kept up with it while the worker runs, saved on the way out.
  const index = await openRegionIndex(cfg, store, (m) => log.warn(m));
  index.follow();
  log.info({ images: index.status.images, vectors: index.status.vectors }, 'region index open');
  const connection = await connectWorker(cfg);
  const workers = await createWorkers({
    connection,
    namespace: cfg.temporal.namespace,
    queues,
    activities: withRunStages(createActivities({ store, engine, blobs, index, ownQueue: queues.own, maxFrames: cfg.limits.maxFrames })),
    concurrency: { io: cfg.worker.ioConcurrency, cpu: cfg.worker.cpuConcurrency },
    workflows: { workflowsPath: require.resolve('../workflows') },
    dataConverter: workerDataConverter(cfg),
  });
  log.info({ queues: Object.values(queues), temporal: cfg.temporal.address }, 'polling');
  try {
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
    await index.close();
    await engine.close();
    await store.close();
  }
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'worker stopped');
  process.exit(1);
});

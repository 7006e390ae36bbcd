import { createServer } from 'node:http';
import { join } from 'node:path';
import { connectClient } from '../client/temporal-client';
import { loadConfig } from '../core/config';
import { restrictFileModes } from '../core/file-permissions';
import { logger } from '../core/log';
import { listenOrFail } from '../core/ports';
import { openStore } from '../store';
import { openBlobStore } from '../blobs/open';
import { createApp } from './app';
import { scheduleUploadExpiry } from './upload-expiry';

const log = logger('api');

async function main(): Promise<void> {
  restrictFileModes(); // thumbnails and uploads are the owner's alone
  const cfg = loadConfig();
  const store = await openStore(cfg.mongo.uri, cfg.mongo.dbName);
  const client = await connectClient(cfg);
  const blobs = openBlobStore(cfg.storage);
  await blobs.check();
  scheduleUploadExpiry(blobs, cfg.uploads.ttlHours);
  const app = createApp(store, {
    temporal: { client, taskQueue: cfg.taskQueues.io },
    blobs,
    thumbnailsDir: cfg.paths.thumbnails,
    tagRate: cfg.tagRate,
    webDir: join(cfg.root, 'dist', 'web'),
    ...(cfg.importRoot ? { importRoot: cfg.importRoot } : {}),
  });
  // Express 5's app.listen hands a bind error to its callback and would keep running unbound.
  const server = createServer(app);
  try {
    await listenOrFail(server, cfg.api.port, cfg.api.host);
  } catch (err) {
    await store.close();
    await client.connection.close();
    throw err;
  }
  log.info({ url: cfg.api.url }, 'listening');
  const stop = () => server.close(() => void store.close().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  log.fatal({ err }, `could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../core/config';
import { restrictFileModes } from '../core/file-permissions';
import { logger } from '../core/log';
import { openStore, type Store } from '../store';
import { startService } from '../services/embedded';
import { SUPERVISED, Supervisor, type RestartRecord } from '../services/supervisor';

// `clues up`'s supervisor process: a pass over the services every 2 s (services/supervisor.ts),
// an entry point beside the CLI's because it writes the audit through the store.
// It touches run/supervisor.alive on each pass, which is how `up` knows it is ready.

const log = logger('supervisor');
const TICK_MS = 2000;

async function main(): Promise<void> {
  restrictFileModes();
  const cfg = loadConfig();
  const names = SUPERVISED.filter((n) => (n === 'database' ? cfg.mongo.embedded : n === 'temporal' ? cfg.temporal.embedded : true));
  const temporalUi = process.argv.includes('--temporal-ui');
  const supervisor = new Supervisor(cfg, names, (name) => startService(cfg, name, { temporalUi }));
  const alive = join(cfg.paths.run, 'supervisor.alive');
  writeFileSync(alive, String(process.pid), { mode: 0o600 });
  let store: Store | undefined;
  const audit = async (r: RestartRecord) => {
    try {
      store ??= await openStore(cfg.mongo.uri, cfg.mongo.dbName);
      await store.audit.write({ actor: 'supervisor', action: r.outcome === 'failed' ? 'service-restart-failed' : 'service-restart', target: r.name, detail: { ...r } });
    } catch (err) {
      // The database may be the service that is down: the log keeps the record meanwhile.
      log.warn({ err, restart: r }, 'restart not audited');
      await store?.close().catch(() => undefined);
      store = undefined;
    }
  };
  let stopping = false;
  const stop = () => (stopping = true);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  log.info({ services: names }, 'supervising');
  while (!stopping) {
    for (const r of await supervisor.tick()) {
      if (r.outcome === 'failed') log.error({ service: r.name, attempt: r.attempt, error: r.error }, 'restart failed');
      else log.warn({ service: r.name, pid: r.pid, newPid: r.newPid, attempt: r.attempt }, 'restarted a service that had died');
      await audit(r);
    }
    const now = new Date();
    utimesSync(alive, now, now);
    for (let waited = 0; waited < TICK_MS && !stopping; waited += 100) await sleep(100);
  }
  await store?.close().catch(() => undefined);
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'supervisor stopped');
  process.exit(1);
});

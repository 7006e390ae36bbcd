import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../core/config';
import { privateDir } from '../core/file-permissions';
import { startDaemon, stopDaemon, type DaemonDirs, type StartOutcome } from './daemon';
import { httpAnswers, mongoAnswers, queuesPolled, temporalAnswers } from './probes';

// The processes `clues up` runs: the database server (SecantusDB) and the Temporal dev server
// (unless MONGODB_URI / TEMPORAL_ADDRESS point elsewhere), then the worker and the API. `down`
// stops them in reverse.

export type ServiceName = 'database' | 'temporal' | 'worker' | 'api';
export const ALL_SERVICES: ServiceName[] = ['database', 'temporal', 'worker', 'api'];

/** Where a migration keeps the old folder while it copies (services are started beside it). */
export const migratingFolder = (cfg: Config) => `${cfg.paths.ferretdb}-migrating`;

/**
 * A data folder an earlier version filled through FerretDB, or whose migration did not finish:
 * the new database is never started empty beside it.
 */
export function legacyDataFolder(cfg: Config, opts: { migrating?: boolean } = {}): string | null {
  const holds = (dir: string) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.sqlite'));
  if (!opts.migrating && holds(migratingFolder(cfg))) return migratingFolder(cfg);
  const old = cfg.paths.ferretdb;
  return holds(old) && !(existsSync(cfg.paths.database) && readdirSync(cfg.paths.database).length > 0) ? old : null;
}

export const dirs = (cfg: Config): DaemonDirs => ({ run: cfg.paths.run, logs: cfg.paths.logs });

export function tool(cfg: Config, name: string): string {
  const p = join(cfg.root, '.tools', 'bin', name);
  if (!existsSync(p)) throw new Error(`${p} is missing: run scripts/install-tools.sh (npm run setup does it)`);
  return p;
}

/**
 * Environment for our Node processes. glibc gives threads their own malloc arenas; libvips and
 * onnxruntime threads allocating images of every size leave each arena fragmented, and RSS
 * creeps up over a night's run. Two arenas is what sharp's documentation recommends.
 */
export const nodeEnv = (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({ ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2' });

function node(cfg: Config, script: string): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const js = join(cfg.root, 'dist', script);
  if (!existsSync(js)) throw new Error(`${js} is missing: run npm run build`);
  // --max-old-space-size bounds the JS heap well under the worker's 2 GiB RSS budget.
  return { command: process.execPath, args: ['--max-old-space-size=1024', js], env: nodeEnv() };
}

async function start(cfg: Config, name: ServiceName, migrating: boolean): Promise<StartOutcome | 'external'> {
  switch (name) {
    case 'database': {
      if (!cfg.mongo.embedded) return 'external';
      const legacy = legacyDataFolder(cfg, { migrating });
      if (legacy) {
        throw new Error(
          `${cfg.dataDir} holds data from an earlier version (FerretDB, in ${legacy}); it was not started empty beside it. ` +
            'Carry it over with `npx clues migrate-ferretdb` (copies images, clues, tags, tokens and the audit into the new server), ' +
            'or move the folder away to start afresh.',
        );
      }
      mkdirSync(cfg.paths.database, { recursive: true, mode: 0o700 });
      // An explicit (empty) configuration file: without one the server also reads
      // ./secantusd.toml, ~/.secantus/ and /etc/secantus/, which this data folder does not own.
      const conf = join(cfg.paths.run, 'secantusd.toml');
      mkdirSync(cfg.paths.run, { recursive: true, mode: 0o700 });
      writeFileSync(conf, '# settings are given on the command line by clues (services/embedded.ts)\n', { mode: 0o600 });
      return startDaemon(dirs(cfg), {
        name,
        command: tool(cfg, 'secantusd-rs'),
        args: [
          '--config', conf,
          '--host', '127.0.0.1',
          '--port', String(cfg.mongo.port),
          '--storage-path', cfg.paths.database,
          '--log-level', 'WARNING',
          // WiredTiger's cache. The indexes are created before any data (store/database.ts):
          // building a multikey index over existing data that does not fit the cache never ends
          // in this server version.
          '--cache-size', '1G',
        ],
        ready: () => mongoAnswers(cfg.mongo.uri),
        ports: [{ port: cfg.mongo.port, host: '127.0.0.1' }],
      });
    }
    case 'temporal': {
      if (!cfg.temporal.embedded) return 'external';
      mkdirSync(dirname(cfg.paths.temporalDb), { recursive: true, mode: 0o700 });
      return startDaemon(dirs(cfg), {
        name,
        command: tool(cfg, 'temporal'),
        args: [
          'server', 'start-dev',
          '--ip', '127.0.0.1',
          '--port', String(cfg.temporal.port),
          '--ui-ip', '127.0.0.1',
          '--ui-port', String(cfg.temporal.uiPort),
          '--ui-disable-news-fetch',
          '--db-filename', cfg.paths.temporalDb,
          // Write-ahead log: one append per transaction instead of a rollback journal created,
          // synced and deleted each time. NORMAL sync keeps it safe from a crashed process; a
          // power cut can lose the last transactions, which workflows replay.
          '--sqlite-pragma', 'journal_mode=wal',
          '--sqlite-pragma', 'synchronous=normal',
          '--namespace', cfg.temporal.namespace,
        ],
        ready: () => temporalAnswers(cfg.temporal.address, cfg.temporal.namespace),
        timeoutMs: 90_000,
        ports: [cfg.temporal.port, cfg.temporal.uiPort].map((port) => ({ port, host: '127.0.0.1' })),
      });
    }
    case 'worker':
      return startDaemon(dirs(cfg), {
        name,
        ...node(cfg, 'worker/main.js'),
        ready: (since) => queuesPolled(cfg.temporal.address, cfg.temporal.namespace, [cfg.taskQueues.io, cfg.taskQueues.cpu], since),
        // Our earlier workers' pollers (crashed or stopped) are no one else's.
        answersForOthers: (ours) => queuesPolled(cfg.temporal.address, cfg.temporal.namespace, [cfg.taskQueues.io, cfg.taskQueues.cpu], new Date(0), ours),
        timeoutMs: 120_000,
      });
    case 'api':
      return startDaemon(dirs(cfg), {
        name,
        ...node(cfg, 'api/main.js'),
        ready: () => httpAnswers(`${cfg.api.url}/health`),
        ports: [{ port: cfg.api.port, host: cfg.api.host }],
      });
  }
}

/** Starts what is not running yet, in dependency order; reports what it did for each. */
export async function upServices(
  cfg: Config,
  names: ServiceName[] = ALL_SERVICES,
  report: (name: ServiceName, outcome: StartOutcome | 'external') => void = () => undefined,
  opts: { migrating?: boolean } = {},
): Promise<void> {
  privateDir(cfg.dataDir);
  for (const name of ALL_SERVICES.filter((n) => names.includes(n))) report(name, await start(cfg, name, opts.migrating ?? false));
}

export async function downServices(cfg: Config, names: ServiceName[] = ALL_SERVICES): Promise<ServiceName[]> {
  const stopped: ServiceName[] = [];
  for (const name of [...ALL_SERVICES].reverse().filter((n) => names.includes(n))) {
    if (await stopDaemon(dirs(cfg), name)) stopped.push(name);
  }
  return stopped;
}

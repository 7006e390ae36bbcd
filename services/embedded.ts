import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../core/config';
import { privateDir } from '../core/file-permissions';
import { startDaemon, stopDaemon, type DaemonDirs, type StartOutcome } from './daemon';
import { ensureDatabaseUser } from './database-user';
import { httpAnswers, mongoAnswers, queuesPolled, temporalAnswers } from './probes';
import type { GateSpec } from './temporal-gate';
import { ensureTemporalTls } from './temporal-tls';

// The processes `clues up` runs: the database server (SecantusDB) and the Temporal dev server
// (unless MONGODB_URI / TEMPORAL_ADDRESS point elsewhere), then the worker and the API. `down`
// stops them in reverse.

/** The supervisor comes last: started after the others, stopped first (services/supervisor.ts). */
export type ServiceName = 'database' | 'temporal' | 'worker' | 'api' | 'supervisor';
export const ALL_SERVICES: ServiceName[] = ['database', 'temporal', 'worker', 'api', 'supervisor'];

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

import { nodeEnv } from '../core/node-env';

export { nodeEnv };

function node(cfg: Config, script: string): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const js = join(cfg.root, 'dist', script);
  if (!existsSync(js)) throw new Error(`${js} is missing: run npm run build`);
  // --max-old-space-size bounds the JS heap well under the worker's 2 GiB RSS budget.
  return { command: process.execPath, args: ['--max-old-space-size=1024', js], env: nodeEnv() };
}

export interface UpOptions {
  /** While a migration copies an earlier version's folder (services are started beside it). */
  migrating?: boolean;
  /** Temporal's web UI on 127.0.0.1:uiPort. It has no login: anyone on the machine may open it. */
  temporalUi?: boolean;
}

/** Inside the embedded Temporal's own network namespace, its ports are its own: the defaults. */
const SANDBOX_PORTS = { frontend: 7233, ui: 8233 };
const SOCKETS = { frontend: 'temporal.sock', ui: 'temporal-ui.sock' };

/**
 * How to enter a network namespace of one's own: as root, `unshare --net`; otherwise inside a
 * user namespace as well (`--map-root-user`), which unprivileged users may make on most Linux
 * systems. Null, with the reason, when neither works here.
 */
export function namespaceCommand(): { command: string; args: string[] } | { refused: string } {
  const args = process.getuid?.() === 0 ? ['--net'] : ['--net', '--map-root-user'];
  const probe = spawnSync('unshare', [...args, 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (probe.error) return { refused: `unshare or ip is not installed (${probe.error.message})` };
  if (probe.status !== 0) return { refused: `unshare ${args.join(' ')} is refused here: ${probe.stderr.trim()}` };
  return { command: 'unshare', args };
}

function temporalArgs(cfg: Config, ports: { frontend: number; ui: number }, ui: boolean): string[] {
  return [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(ports.frontend),
    ...(ui ? ['--ui-ip', '127.0.0.1', '--ui-port', String(ports.ui), '--ui-disable-news-fetch'] : ['--headless']),
    '--db-filename', cfg.paths.temporalDb,
    // Write-ahead log: one append per transaction instead of a rollback journal created,
    // synced and deleted each time. NORMAL sync keeps it safe from a crashed process; a
    // power cut can lose the last transactions, which workflows replay.
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', 'synchronous=normal',
    '--namespace', cfg.temporal.namespace,
  ];
}

/**
 * The embedded Temporal: in a network namespace of its own behind the mutual-TLS gate
 * (services/temporal-gate.ts), or, with CLUES_TEMPORAL_ISOLATION=none, on loopback as it is.
 */
/** The loopback ports Temporal's front (the gate, or the server itself) and its UI take: free, or a clear error. */
const hostPorts = (cfg: Config, ui: boolean) => [cfg.temporal.port, ...(ui ? [cfg.temporal.uiPort] : [])].map((port) => ({ port, host: '127.0.0.1' }));

async function startTemporal(cfg: Config, ui: boolean): Promise<StartOutcome> {
  mkdirSync(dirname(cfg.paths.temporalDb), { recursive: true, mode: 0o700 });
  const ready = () => temporalAnswers(cfg.temporal);
  if (cfg.temporal.isolation === 'none') {
    return startDaemon(dirs(cfg), { name: 'temporal', command: tool(cfg, 'temporal'), args: temporalArgs(cfg, { frontend: cfg.temporal.port, ui: cfg.temporal.uiPort }, ui), ready, timeoutMs: 90_000, ports: hostPorts(cfg, ui) });
  }
  const ns = namespaceCommand();
  if ('refused' in ns) {
    throw new Error(
      `Temporal cannot be given a network namespace of its own: ${ns.refused}. Allow unprivileged user namespaces ` +
        '(Ubuntu: sysctl kernel.apparmor_restrict_unprivileged_userns=0), run as root, or set CLUES_TEMPORAL_ISOLATION=none ' +
        'to run it on loopback without isolation: every user of this machine can then reach it (payloads stay encrypted).',
    );
  }
  await ensureTemporalTls(cfg);
  const tlsDir = cfg.paths.temporalTls;
  const spec: GateSpec = {
    host: '127.0.0.1',
    port: cfg.temporal.port,
    tls: { ca: join(tlsDir, 'ca.pem'), cert: join(tlsDir, 'server.pem'), key: join(tlsDir, 'server-key.pem') },
    socket: SOCKETS.frontend,
    ...(ui ? { ui: { port: cfg.temporal.uiPort, socket: SOCKETS.ui } } : {}),
    sandbox: { command: ns.command, args: [...ns.args, process.execPath, script(cfg, 'services/temporal-sandbox.js')] },
    sandboxSpec: {
      temporal: tool(cfg, 'temporal'),
      temporalArgs: temporalArgs(cfg, SANDBOX_PORTS, ui),
      bridges: [{ socket: SOCKETS.frontend, port: SANDBOX_PORTS.frontend }, ...(ui ? [{ socket: SOCKETS.ui, port: SANDBOX_PORTS.ui }] : [])],
    },
  };
  // Sockets are named relative to the run folder (the gate's and the sandbox's working folder):
  // a Unix socket's path may not be longer than 107 bytes, a data folder's may.
  return startDaemon(dirs(cfg), { name: 'temporal', command: process.execPath, args: [script(cfg, 'services/temporal-gate.js'), JSON.stringify(spec)], cwd: cfg.paths.run, ready, timeoutMs: 90_000, ports: hostPorts(cfg, ui) });
}

function script(cfg: Config, path: string): string {
  const js = join(cfg.root, 'dist', path);
  if (!existsSync(js)) throw new Error(`${js} is missing: run npm run build`);
  return js;
}

async function start(cfg: Config, name: ServiceName, opts: UpOptions): Promise<StartOutcome | 'external'> {
  const migrating = opts.migrating ?? false;
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
      const outcome = await startDaemon(dirs(cfg), {
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
          // SCRAM-SHA-256 for everything but the handshake: this data folder's user only.
          '--auth',
          // The log is synced at every commit, so that an acknowledged write survives a power
          // cut (the cost, measured with bench:batch, is in docs/SECURITY.md).
          ...(cfg.mongo.syncOnCommit ? ['--sync-on-commit'] : []),
        ],
        ready: () => mongoAnswers(cfg.mongo.anonymousUri),
        ports: [{ port: cfg.mongo.port, host: '127.0.0.1' }],
      });
      await ensureDatabaseUser(cfg);
      return outcome;
    }
    case 'temporal':
      if (!cfg.temporal.embedded) return 'external';
      return startTemporal(cfg, opts.temporalUi ?? false);
    case 'worker':
      return startDaemon(dirs(cfg), {
        name,
        ...node(cfg, 'worker/main.js'),
        ready: (since) => queuesPolled(cfg.temporal, [cfg.taskQueues.io, cfg.taskQueues.cpu], since),
        // Our earlier workers' pollers (crashed or stopped) are no one else's.
        answersForOthers: (ours) => queuesPolled(cfg.temporal, [cfg.taskQueues.io, cfg.taskQueues.cpu], new Date(0), ours),
        timeoutMs: 120_000,
      });
    case 'api':
      return startDaemon(dirs(cfg), {
        name,
        ...node(cfg, 'api/main.js'),
        ready: () => httpAnswers(`${cfg.api.url}/health`),
        ports: [{ port: cfg.api.port, host: cfg.api.host }],
      });
    case 'supervisor': {
      const alive = join(cfg.paths.run, 'supervisor.alive');
      const n = node(cfg, 'cli/supervisor-main.js');
      return startDaemon(dirs(cfg), {
        name,
        ...n,
        args: [...n.args, ...(opts.temporalUi ? ['--temporal-ui'] : [])],
        // Ready once it has made its first pass; what else runs is told by its pid file alone.
        ready: async (since) => existsSync(alive) && statSync(alive).mtimeMs >= since.getTime() - 1000,
        answersForOthers: async () => false,
      });
    }
  }
}

/** Starts one service as `up` would: the supervisor's way of bringing back one that died. */
export function startService(cfg: Config, name: ServiceName, opts: UpOptions = {}): Promise<StartOutcome> {
  return start(cfg, name, opts).then((o) => (o === 'external' ? 'reused' : o));
}

/** Starts what is not running yet, in dependency order; reports what it did for each. */
export async function upServices(
  cfg: Config,
  names: ServiceName[] = ALL_SERVICES,
  report: (name: ServiceName, outcome: StartOutcome | 'external') => void = () => undefined,
  opts: UpOptions = {},
): Promise<void> {
  privateDir(cfg.dataDir);
  for (const name of ALL_SERVICES.filter((n) => names.includes(n))) report(name, await start(cfg, name, opts));
}

export async function downServices(cfg: Config, names: ServiceName[] = ALL_SERVICES): Promise<ServiceName[]> {
  const stopped: ServiceName[] = [];
  for (const name of [...ALL_SERVICES].reverse().filter((n) => names.includes(n))) {
    if (await stopDaemon(dirs(cfg), name)) stopped.push(name);
  }
  return stopped;
}

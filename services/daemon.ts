import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withPrivateUmask } from '../core/file-permissions';
import { ensurePortsFree, ServiceStartError } from '../core/ports';

// Background processes owned by one data folder: a pid file per service under <data>/run, logs
// under <data>/logs. Two checkouts with different data folders never see each other's pids.
// A pid file outlives its process (crashed, or stopped by `down`): it is how `up` knows that
// what a dead process left behind (Temporal lists a worker's pollers for minutes) was ours.

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves true once the service answers. Must not throw. */
  ready: (since: Date) => Promise<boolean>;
  /**
   * True when something that is none of `ours` (this data folder's earlier pids of the service)
   * already answers for it. Default: `ready` at all, which suits a port (a dead process holds none).
   * Must not throw.
   */
  answersForOthers?: (ours: number[]) => Promise<boolean>;
  timeoutMs?: number;
  /** Ports the service listens on: a taken one fails the start at once, before anything is spawned. */
  ports?: { port: number; host: string }[];
}

export interface DaemonDirs {
  run: string;
  logs: string;
}

/** `restarted`: a process of ours had died without being stopped, and a new one replaced it. */
export type StartOutcome = 'started' | 'reused' | 'restarted';

export interface PidFile {
  pid: number;
  startedAt: string;
  command: string;
  /** Set by `down`: the process was stopped on purpose. */
  stoppedAt?: string;
  /** Pids of the service's earlier processes, newest first (their traces may outlive them). */
  earlier?: number[];
  /** Processes that died without being stopped and were replaced, since it was last stopped on purpose. */
  restarts?: number;
  lastRestartAt?: string;
  /** Set when the process did not become ready and was stopped for that. */
  failedAt?: string;
}

/** Earlier pids remembered per service: more than crash-restarts within Temporal's 5-minute poller memory. */
const EARLIER = 10;

function pidPath(dirs: DaemonDirs, name: string): string {
  return join(dirs.run, `${name}.pid`);
}

export function logPath(dirs: DaemonDirs, name: string): string {
  return join(dirs.logs, `${name}.log`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while the recorded process runs; after a reboot its pid may be another program's. */
function runs(pf: PidFile): boolean {
  if (pf.stoppedAt || !isAlive(pf.pid)) return false;
  try {
    return readFileSync(`/proc/${pf.pid}/cmdline`, 'utf8').split('\0')[0] === pf.command;
  } catch {
    return !existsSync('/proc/self'); // no procfs (not Linux): the pid is all there is
  }
}

/** The service's pid file, whether its process still runs, and whether it was stopped on purpose. */
export function pidRecord(dirs: DaemonDirs, name: string): { pf: PidFile; running: boolean } | null {
  const p = pidPath(dirs, name);
  if (!existsSync(p)) return null;
  try {
    const pf = JSON.parse(readFileSync(p, 'utf8')) as PidFile;
    if (!Number.isInteger(pf.pid) || pf.pid <= 0) throw new Error('no pid');
    return { pf, running: runs(pf) };
  } catch {
    return { pf: { pid: 0, startedAt: '', command: '' }, running: false }; // unreadable: ours, and not running
  }
}

/** The running process this data folder started for `name`, or null. */
export function readPid(dirs: DaemonDirs, name: string): PidFile | null {
  const r = pidRecord(dirs, name);
  return r?.running ? r.pf : null;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitReady(spec: DaemonSpec, since: Date, pid: number | null, log: string): Promise<void> {
  const deadline = Date.now() + (spec.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (await spec.ready(since)) return;
    if (pid !== null && !isAlive(pid)) throw new ServiceStartError(`${spec.name} exited during start-up; last log lines (${log}):\n${tail(log)}`);
    await sleep(250);
  }
  throw new ServiceStartError(`${spec.name} did not answer within ${(spec.timeoutMs ?? 60_000) / 1000}s; last log lines (${log}):\n${tail(log)}`);
}

/**
 * Starts the service unless this data folder's copy is already running; waits until it answers.
 * A crashed or stopped process of ours is replaced at once; something else that answers for the
 * service is refused.
 */
export async function startDaemon(dirs: DaemonDirs, spec: DaemonSpec): Promise<StartOutcome> {
  mkdirSync(dirs.run, { recursive: true, mode: 0o700 });
  mkdirSync(dirs.logs, { recursive: true, mode: 0o700 });
  const log = logPath(dirs, spec.name);
  const recorded = pidRecord(dirs, spec.name);
  if (recorded?.running) {
    await waitReady(spec, new Date(0), recorded.pf.pid, log);
    return 'reused';
  }
  const ours = recorded ? [recorded.pf.pid, ...(recorded.pf.earlier ?? [])].filter((p) => p > 0).slice(0, EARLIER) : [];
  if (await (spec.answersForOthers ?? (() => spec.ready(new Date(0))))(ours)) {
    throw new ServiceStartError(`something not started from this data folder already answers for ${spec.name}; stop it or choose another port`);
  }
  for (const { port, host } of spec.ports ?? []) {
    await ensurePortsFree([port], host).catch((err: Error) => {
      throw new ServiceStartError(`${spec.name}: ${err.message}`);
    });
  }
  const since = new Date();
  // A process of ours that died without `down` stopping it: this start is a restart.
  const crashed = recorded !== null && recorded.pf.pid > 0 && !recorded.pf.stoppedAt;
  const restarts = crashed ? { restarts: (recorded.pf.restarts ?? 0) + 1, lastRestartAt: since.toISOString() } : {};
  const fd = openSync(log, 'a', 0o600);
  // The server creates its own files (databases, WAL): with the private umask they are 600.
  const child = withPrivateUmask(() =>
    spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true, // own process group: `down` stops it and its children together
      stdio: ['ignore', fd, fd],
    }),
  );
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
  child.unref();
  writePid(dirs, spec.name, { pid, startedAt: since.toISOString(), command: spec.command, ...(ours.length ? { earlier: ours } : {}), ...restarts });
  try {
    await waitReady(spec, since, pid, log);
  } catch (err) {
    await stopDaemon(dirs, spec.name);
    // Not stopped on purpose: it failed, and the next start (the supervisor's) is a restart.
    const failed = pidRecord(dirs, spec.name)?.pf;
    if (failed) writePid(dirs, spec.name, { ...failed, stoppedAt: undefined, failedAt: new Date().toISOString() } as PidFile);
    throw err;
  }
  return crashed ? 'restarted' : 'started';
}

function writePid(dirs: DaemonDirs, name: string, pf: PidFile): void {
  writeFileSync(pidPath(dirs, name), JSON.stringify(pf), { mode: 0o600 });
}

/**
 * SIGTERM to the process group, SIGKILL after the grace period. True if something was stopped.
 * The pid file stays, marked stopped, so that a later start knows the process was ours.
 */
export async function stopDaemon(dirs: DaemonDirs, name: string, graceMs = 15_000): Promise<boolean> {
  const pf = readPid(dirs, name);
  if (!pf) return false;
  // Marked first: a supervisor that sees the process go must not take it for a crash.
  writePid(dirs, name, { ...pf, stoppedAt: new Date().toISOString() });
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pf.pid, sig);
    } catch {
      try {
        process.kill(pf.pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pf.pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pf.pid)) signal('SIGKILL');
  while (isAlive(pf.pid)) await sleep(50);
  return true;
}

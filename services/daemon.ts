import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// Background processes owned by one data folder: a pid file per service under <data>/run, logs
// under <data>/logs. Two checkouts with different data folders never see each other's pids.

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves true once the service answers. Must not throw. */
  ready: (since: Date) => Promise<boolean>;
  timeoutMs?: number;
}

export interface DaemonDirs {
  run: string;
  logs: string;
}

export type StartOutcome = 'started' | 'reused';

interface PidFile {
  pid: number;
  startedAt: string;
  command: string;
}

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

export function readPid(dirs: DaemonDirs, name: string): PidFile | null {
  const p = pidPath(dirs, name);
  if (!existsSync(p)) return null;
  try {
    const pf = JSON.parse(readFileSync(p, 'utf8')) as PidFile;
    if (isAlive(pf.pid)) return pf;
  } catch {
    /* unreadable pid file: treat as stale */
  }
  rmSync(p, { force: true });
  return null;
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
    if (pid !== null && !isAlive(pid)) throw new Error(`${spec.name} exited during start-up; last log lines (${log}):\n${tail(log)}`);
    await sleep(250);
  }
  throw new Error(`${spec.name} did not answer within ${(spec.timeoutMs ?? 60_000) / 1000}s; last log lines (${log}):\n${tail(log)}`);
}

/** Starts the service unless this data folder's copy is already running; waits until it answers. */
export async function startDaemon(dirs: DaemonDirs, spec: DaemonSpec): Promise<StartOutcome> {
  mkdirSync(dirs.run, { recursive: true });
  mkdirSync(dirs.logs, { recursive: true });
  const log = logPath(dirs, spec.name);
  const running = readPid(dirs, spec.name);
  if (running) {
    await waitReady(spec, new Date(0), running.pid, log);
    return 'reused';
  }
  if (await spec.ready(new Date(0))) {
    throw new Error(`something not started from this data folder already answers for ${spec.name}; stop it or choose another port`);
  }
  const since = new Date();
  const fd = openSync(log, 'a');
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true, // own process group: `down` stops it and its children together
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
  child.unref();
  writeFileSync(pidPath(dirs, spec.name), JSON.stringify({ pid, startedAt: since.toISOString(), command: spec.command } satisfies PidFile));
  try {
    await waitReady(spec, since, pid, log);
  } catch (err) {
    await stopDaemon(dirs, spec.name);
    throw err;
  }
  return 'started';
}

/** SIGTERM to the process group, SIGKILL after the grace period. True if something was stopped. */
export async function stopDaemon(dirs: DaemonDirs, name: string, graceMs = 15_000): Promise<boolean> {
  const pf = readPid(dirs, name);
  if (!pf) return false;
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
  rmSync(pidPath(dirs, name), { force: true });
  return true;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../core/config';
import { projectRoot } from '../core/project-root';
import { nodeEnv } from '../services/embedded';
import { queuesPolled } from '../services/probes';

// Shared by the batch benchmarks: their own data folder and ports, generated images, worker
// processes, and RSS read from /proc.

export const root = projectRoot();

export function benchEnvironment(): void {
  process.env.CLUES_DATA_DIR ??= join(root, '.data', 'bench');
  process.env.CLUES_DB_PORT ??= '27401';
  process.env.CLUES_TEMPORAL_PORT ??= '27433';
  process.env.CLUES_TEMPORAL_UI_PORT ??= '27434';
}

export async function startWorkers(count: number, taskQueue: string, env: Record<string, string>): Promise<ChildProcess[]> {
  const cfg = loadConfig();
  const since = new Date();
  mkdirSync(cfg.paths.logs, { recursive: true });
  const workers = Array.from({ length: count }, () =>
    spawn(process.execPath, ['--max-old-space-size=1024', join(root, 'dist', 'worker', 'main.js')], {
      env: nodeEnv({ ...process.env, CLUES_TASK_QUEUE: taskQueue, ...env }),
      stdio: ['ignore', 'ignore', openSync(join(cfg.paths.logs, 'bench-workers.log'), 'a')],
    }),
  );
  while (!(await queuesPolled(cfg.temporal, [taskQueue, `${taskQueue}-cpu`], since))) {
    if (workers.some((w) => w.exitCode !== null)) throw new Error(`a worker exited at start-up; see ${join(cfg.paths.logs, 'bench-workers.log')}`);
    await sleep(250);
  }
  await sleep(2000); // let every process register its pollers
  return workers;
}

const status = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
/** MiB. */
export const peakRss = (pid: number) => status(pid, 'VmHWM');
export const currentRss = (pid: number) => status(pid, 'VmRSS');

/** Live child processes of `pid` (a worker's engine process). */
export function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return Number(readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]) === pid;
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

/** A process and its children (a worker and its engine): pids to add up. */
export const withChildren = (pid: number) => [pid, ...childPids(pid)];

/** CPU seconds (user + system) a live process has used so far, from /proc (100 ticks a second). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

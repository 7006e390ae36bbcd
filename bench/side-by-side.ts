import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childPids, currentRss, peakRss, root } from './batch-support';

// Two versions of the pipeline on the same machine, in the same run, on the same images, at the
// same settings: each started from its own checkout with its own `clues up` (its own services, in
// a data folder of its own, made fresh for every round), fed by its own `clues run --json`. What
// is timed is that command, start to end; CPU is every process of the version's stack (database,
// Temporal, worker, engines, API), read from /proc; memory is the worker with its engines.

export interface Side {
  label: string;
  /** The checkout: this one, or an earlier commit unpacked and built under .data/bench/versions. */
  dir: string;
}

export interface RoundResult {
  label: string;
  seconds: number;
  perHour: number;
  done: number;
  failed: number;
  partial: number;
  cpuSeconds: number;
  /** Peak RSS of the worker plus its engine processes, summed (MiB). */
  workerPeakMiB: number;
}

const VERSIONS = join(root, '.data', 'bench', 'versions');

/**
 * An earlier commit, unpacked (git archive) and set up with its own scripts, once. The service
 * binaries are this checkout's (the same pinned versions), so nothing is built twice.
 */
export function checkoutOf(rev: string, log: (s: string) => void): Side {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const dir = join(VERSIONS, sha.slice(0, 12));
  if (!existsSync(join(dir, '.bench-ready'))) {
    log(`setting up ${rev} (${sha.slice(0, 12)}) in ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${sha} | tar -x -C "${dir}"`], { cwd: root, stdio: 'inherit' });
    cpSync(join(root, '.tools', 'bin'), join(dir, '.tools', 'bin'), { recursive: true });
    execFileSync('bash', ['scripts/setup.sh'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
    writeFileSync(join(dir, '.bench-ready'), sha);
  }
  return { label: sha.slice(0, 7), dir };
}

const ticks = (pid: number): number => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return 0;
  }
};
const HZ = 100;

/** Every process of a data folder's stack, with their children (engines, Temporal's children). */
function stackPids(dataDir: string): number[] {
  const run = join(dataDir, 'run');
  const pids = readdirSync(run)
    .filter((f) => f.endsWith('.pid'))
    .flatMap((f) => {
      try {
        return [(JSON.parse(readFileSync(join(run, f), 'utf8')) as { pid: number }).pid];
      } catch {
        return [];
      }
    });
  const all = new Set<number>();
  const walk = (pid: number) => {
    if (all.has(pid)) return;
    all.add(pid);
    for (const c of childPids(pid)) walk(c);
  };
  pids.forEach(walk);
  return [...all];
}

function workerTree(dataDir: string): number[] {
  const pid = (JSON.parse(readFileSync(join(dataDir, 'run', 'worker.pid'), 'utf8')) as { pid: number }).pid;
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...childPids(tree[i]!));
  return tree;
}

/**
 * A `clues` command of one side. Its output goes to files, not pipes: a version that exits
 * before a pipe drains (03e7cee did) still leaves its whole answer.
 */
function clues(side: Side, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'clues-sbs-'));
  const [out, err] = [join(dir, 'out'), join(dir, 'err')];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(side.dir, 'bin', 'clues.js'), ...args], { cwd: side.dir, env, stdio: ['ignore', openSync(out, 'w'), openSync(err, 'w')] });
    child.on('close', (code) => {
      resolve({ code: code ?? 1, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') });
      rmSync(dir, { recursive: true, force: true });
    });
  });
}

/** One round of one side: fresh services, one run over the folder, the figures, everything stopped. */
export async function runRound(side: Side, folder: string, images: number, opts: { concurrency: number; port: number; env?: NodeJS.ProcessEnv }): Promise<RoundResult> {
  const dataDir = join(root, '.data', 'bench', `sbs-${side.label}`);
  rmSync(dataDir, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...opts.env,
    CLUES_DATA_DIR: dataDir,
    CLUES_DB_PORT: String(opts.port),
    CLUES_TEMPORAL_PORT: String(opts.port + 1),
    CLUES_TEMPORAL_UI_PORT: String(opts.port + 2),
    CLUES_API_PORT: String(opts.port + 3),
    CLUES_IMPORT_ROOT: folder,
  };
  delete env.MONGODB_URI;
  delete env.TEMPORAL_ADDRESS;
  const up = await clues(side, ['up'], env);
  if (up.code !== 0) throw new Error(`${side.label}: clues up failed: ${up.stderr.slice(-2000)}`);
  try {
    const pids = stackPids(dataDir);
    const before = pids.reduce((t, p) => t + ticks(p), 0);
    const started = performance.now();
    const run = await clues(side, ['run', folder, '--json', '--concurrency', String(opts.concurrency)], env);
    const seconds = (performance.now() - started) / 1000;
    const after = stackPids(dataDir);
    const cpuSeconds = (after.reduce((t, p) => t + ticks(p), 0) - before) / HZ;
    const workerPeakMiB = workerTree(dataDir).reduce((t, p) => t + (peakRss(p) || currentRss(p)), 0);
    let r: { done?: number; failed?: number; partial?: number; found?: number };
    try {
      // One JSON document: pretty-printed (03e7cee) or one line, last.
      const out = run.stdout.trim();
      r = JSON.parse(out.startsWith('{') ? out : (out.split('\n').pop() ?? '')) as typeof r;
    } catch {
      throw new Error(`${side.label}: clues run printed no JSON (exit ${run.code}): ${run.stdout.slice(-1000)} ${run.stderr.slice(-2000)}`);
    }
    return {
      label: side.label,
      seconds,
      perHour: (3600 * images) / seconds,
      done: r.done ?? 0,
      failed: r.failed ?? 0,
      partial: r.partial ?? 0,
      cpuSeconds,
      workerPeakMiB,
    };
  } finally {
    await clues(side, ['down'], env);
  }
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

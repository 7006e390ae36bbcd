import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config';
import { isAlive, pidRecord, readPid } from '../services/daemon';
import { downServices } from '../services/embedded';
import { openStore } from '../store';
import { runCli, temporalTlsEnv } from './support/cli';

// `clues up` itself, on the test data folder: FerretDB and Temporal are the test run's (reused),
// the worker and the API are started here on a queue of their own and stopped at the end.
const env = { CLUES_TASK_QUEUE: `test-up-${randomUUID()}` };
const cfg = loadConfig({ ...process.env, ...env });
const mode = (path: string) => statSync(path).mode & 0o777;

afterAll(async () => {
  await downServices(cfg, ['supervisor', 'api', 'worker']);
});

async function up(): Promise<{ out: string; ms: number }> {
  const t0 = Date.now();
  const r = await runCli(['up'], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { out: r.stdout, ms: Date.now() - t0 };
}

describe('clues up', () => {
  it('when up runs on a data folder open to others, then the folder is 700 and its logs, pid files and databases 600', async () => {
    // As an earlier version left it.
    chmodSync(cfg.dataDir, 0o755);
    chmodSync(join(cfg.paths.logs, 'database.log'), 0o644);
    const { out } = await up();
    expect(out).toMatch(/worker +started/);
    expect(out).toMatch(/api +started/);
    expect(mode(cfg.dataDir)).toBe(0o700);
    for (const dir of [cfg.paths.logs, cfg.paths.run, cfg.paths.database]) {
      expect(mode(dir), dir).toBe(0o700);
      // Files 600; Temporal's Unix socket is owner-only as well (700: a socket needs w to connect).
      for (const f of readdirSync(dir)) expect(mode(join(dir, f)), f).toBe(f.endsWith('.sock') ? 0o700 : 0o600);
    }
    // Everything else too: databases, listings, the workers' storage probe.
    const open = readdirSync(cfg.dataDir, { recursive: true, encoding: 'utf8' }).filter((f) => mode(join(cfg.dataDir, f)) & 0o077);
    expect(open).toEqual([]);
    expect(readdirSync(cfg.paths.logs)).toEqual(expect.arrayContaining(['worker.log', 'api.log', 'database.log', 'temporal.log']));
    expect(readdirSync(cfg.paths.run)).toEqual(expect.arrayContaining(['worker.pid', 'api.pid']));
  });

  it('when our worker is killed, then the supervisor starts a new one within seconds, audits the restart, and status counts it', async () => {
    expect(readPid(cfg.paths, 'supervisor')).not.toBeNull();
    const dead = readPid(cfg.paths, 'worker')!.pid;
    process.kill(dead, 'SIGKILL');
    const t0 = Date.now();
    while (readPid(cfg.paths, 'worker')?.pid === undefined || readPid(cfg.paths, 'worker')!.pid === dead) {
      expect(Date.now() - t0, 'the supervisor brings the worker back').toBeLessThan(90_000);
      await sleep(250);
    }
    const now = readPid(cfg.paths, 'worker')!;
    expect(now.earlier).toContain(dead);
    expect(now.restarts).toBe(1);
    const status = await runCli(['status'], env);
    expect(status.stdout).toMatch(/worker +running \(pid \d+, since .*\); restarted 1 time\(s\)/);
    expect(status.stdout).toMatch(/supervisor +running/);
    const store = await openStore(cfg.mongo.uri, cfg.mongo.dbName);
    try {
      // Audited once the new worker answers.
      const restartOf = async () => (await store.audit.recent(200)).find((e) => e.action === 'service-restart' && e.target === 'worker');
      for (let i = 0; i < 240 && !(await restartOf()); i++) await sleep(250);
      const restart = await restartOf();
      expect(restart).toMatchObject({ actor: 'supervisor', detail: { pid: dead, newPid: now.pid, attempt: 1, delayMs: 1000 } });
    } finally {
      await store.close();
    }
  });

  it('when our worker is killed while no supervisor runs, then up starts a new one at once instead of taking its lingering pollers for a stranger', async () => {
    expect(await downServices(cfg, ['supervisor'])).toEqual(['supervisor']);
    const dead = readPid(cfg.paths, 'worker')!.pid;
    process.kill(dead, 'SIGKILL');
    while (isAlive(dead)) await sleep(50);
    const status = await runCli(['status'], env);
    expect(status.stdout).toMatch(new RegExp(`worker +not running: pid ${dead} exited unexpectedly`));

    const { out, ms } = await up();
    expect(out).toMatch(/worker +restarted \(it had died\)/);
    expect(out).toMatch(/api +already running, reused/);
    expect(out).toMatch(/supervisor +started/);
    expect(ms).toBeLessThan(45_000);
    const now = readPid(cfg.paths, 'worker')!;
    expect(now.pid).not.toBe(dead);
    expect(now.earlier).toContain(dead);
  });

  it('when our worker was stopped, then up starts a new one at once', async () => {
    const stopped = readPid(cfg.paths, 'worker')!.pid;
    expect(await downServices(cfg, ['worker'])).toEqual(['worker']);
    expect(pidRecord(cfg.paths, 'worker')).toMatchObject({ running: false, pf: { pid: stopped, stoppedAt: expect.any(String) } });
    const { out, ms } = await up();
    expect(out).toMatch(/worker +started/);
    expect(ms).toBeLessThan(45_000);
  });

  it('when a worker not started from this data folder polls the queue, then up still refuses', async () => {
    // The worker of this data folder, seen from a data folder that never started one.
    const other = join(cfg.root, 'tests', '.tmp', `other-data-${randomUUID()}`);
    const r = await runCli(['up'], { ...env, CLUES_DATA_DIR: other, MONGODB_URI: cfg.mongo.uri, TEMPORAL_ADDRESS: cfg.temporal.address, ...temporalTlsEnv(cfg), CLUES_API_PORT: String(cfg.api.port + 1) });
    expect(r.stdout).toMatch(/database +external/);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/something not started from this data folder already answers for worker/);
  });
});

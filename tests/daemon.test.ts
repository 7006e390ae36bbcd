import { chmodSync, existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { privateDir } from '../core/file-permissions';
import { isAlive, logPath, pidRecord, readPid, startDaemon, stopDaemon, type DaemonSpec } from '../services/daemon';
import { httpAnswers } from '../services/probes';
import { tempDir } from './support/fixtures';

const dirs = (() => {
  const d = tempDir('daemon');
  return { run: join(d, 'run'), logs: join(d, 'logs') };
})();

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function httpDaemon(name: string, port: number): DaemonSpec {
  return {
    name,
    command: process.execPath,
    args: ['-e', `require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`],
    ready: () => httpAnswers(`http://127.0.0.1:${port}/`),
    timeoutMs: 10_000,
  };
}

const mode = (path: string) => statSync(path).mode & 0o777;

afterAll(async () => {
  for (const name of ['web', 'web2', 'poller', 'writer']) await stopDaemon(dirs, name);
});

describe('background services', () => {
  it('when a service is started twice, then the second start reuses the first', async () => {
    const spec = httpDaemon('web', await freePort());
    expect(await startDaemon(dirs, spec)).toBe('started');
    const pid = readPid(dirs, 'web')!.pid;
    expect(await startDaemon(dirs, spec)).toBe('reused');
    expect(readPid(dirs, 'web')!.pid).toBe(pid);
  });

  it('when the port already answers for a process this data folder did not start, then start refuses clearly', async () => {
    const port = await freePort();
    await startDaemon(dirs, httpDaemon('web2', port));
    await expect(startDaemon({ run: join(dirs.run, 'other'), logs: dirs.logs }, httpDaemon('web2', port))).rejects.toThrow(/not started from this data folder/);
  });

  it('when a service is stopped, then its process is gone and its pid file says so', async () => {
    const pid = readPid(dirs, 'web')!.pid;
    expect(await stopDaemon(dirs, 'web')).toBe(true);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(readPid(dirs, 'web')).toBeNull();
    expect(pidRecord(dirs, 'web')).toMatchObject({ running: false, pf: { pid, stoppedAt: expect.any(String) } });
    expect(await stopDaemon(dirs, 'web')).toBe(false);
  });

  it('when our service crashed or was stopped and its trace still answers for it, then start replaces it at once; another data folder is still refused', async () => {
    // Like Temporal's poller list: every process that ever served is listed for minutes after it died.
    const served = new Set<number>();
    const spec: DaemonSpec = {
      name: 'poller',
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1e6)'],
      ready: async () => {
        const pf = readPid(dirs, 'poller');
        if (pf) served.add(pf.pid);
        return pf !== null;
      },
      answersForOthers: async (ours) => [...served].some((pid) => !ours.includes(pid)),
      timeoutMs: 10_000,
    };
    expect(await startDaemon(dirs, spec)).toBe('started');
    const first = readPid(dirs, 'poller')!.pid;
    process.kill(first, 'SIGKILL');
    while (isAlive(first)) await sleep(20);
    expect(pidRecord(dirs, 'poller')).toMatchObject({ running: false, pf: { pid: first } });
    expect(pidRecord(dirs, 'poller')!.pf.stoppedAt).toBeUndefined();

    const t0 = Date.now();
    expect(await startDaemon(dirs, spec)).toBe('restarted'); // it had died: counted
    expect(Date.now() - t0).toBeLessThan(5000);
    const second = readPid(dirs, 'poller')!;
    expect(second.pid).not.toBe(first);
    expect(second.earlier).toEqual([first]);
    expect(second.restarts).toBe(1);

    await stopDaemon(dirs, 'poller');
    expect(await startDaemon(dirs, spec)).toBe('started');
    expect(readPid(dirs, 'poller')!.earlier).toEqual([second.pid, first]);
    await expect(startDaemon({ run: join(dirs.run, 'elsewhere'), logs: dirs.logs }, spec)).rejects.toThrow(/not started from this data folder already answers for poller/);
  });

  it('when a pid file names a live process that is another program (a reused pid), then it is not taken for ours', () => {
    mkdirSync(dirs.run, { recursive: true });
    writeFileSync(join(dirs.run, 'impostor.pid'), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), command: '/usr/bin/not-this-program' }));
    expect(readPid(dirs, 'impostor')).toBeNull();
    expect(pidRecord(dirs, 'impostor')).toMatchObject({ running: false });
  });

  it('when a service dies during start-up, then start fails with its log', async () => {
    const spec: DaemonSpec = { name: 'crash', command: process.execPath, args: ['-e', 'console.error("boom: bad flag"); process.exit(3)'], ready: async () => false, timeoutMs: 10_000 };
    await expect(startDaemon(dirs, spec)).rejects.toThrow(/crash exited during start-up[\s\S]*boom: bad flag/);
    expect(readPid(dirs, 'crash')).toBeNull();
  });
});

describe('file modes', () => {
  it('when a service starts, then its pid file, its log and the files it creates are the owner\'s alone', async () => {
    const out = join(dirs.run, '..', 'made-by-daemon.txt');
    const spec: DaemonSpec = {
      name: 'writer',
      command: process.execPath,
      args: ['-e', `require('fs').writeFileSync(${JSON.stringify(out)}, 'x'); setInterval(() => {}, 1e6)`],
      ready: async () => existsSync(out),
      timeoutMs: 10_000,
    };
    expect(await startDaemon(dirs, spec)).toBe('started');
    expect(mode(out)).toBe(0o600);
    expect(mode(join(dirs.run, 'writer.pid'))).toBe(0o600);
    expect(mode(logPath(dirs, 'writer'))).toBe(0o600);
    expect(mode(dirs.run)).toBe(0o700);
    expect(mode(dirs.logs)).toBe(0o700);
  });

  it('when a data folder made by an earlier version is open to others, then it and everything in it is tightened, and symlinks are not followed', () => {
    const data = tempDir('open-data');
    const outside = join(tempDir('outside'), 'not-ours.txt');
    writeFileSync(outside, 'x');
    chmodSync(outside, 0o644);
    mkdirSync(join(data, 'logs'));
    writeFileSync(join(data, 'logs', 'worker.log'), 'x');
    symlinkSync(outside, join(data, 'link'));
    for (const [p, m] of [[data, 0o755], [join(data, 'logs'), 0o755], [join(data, 'logs', 'worker.log'), 0o644]] as const) chmodSync(p, m);
    privateDir(data);
    expect([mode(data), mode(join(data, 'logs')), mode(join(data, 'logs', 'worker.log'))]).toEqual([0o700, 0o700, 0o600]);
    expect(mode(outside)).toBe(0o644);
    const fresh = join(data, 'new', 'deeper');
    privateDir(fresh);
    expect([mode(join(data, 'new')), mode(fresh)]).toEqual([0o700, 0o700]);
  });
});

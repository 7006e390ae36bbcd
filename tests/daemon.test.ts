import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPid, startDaemon, stopDaemon, type DaemonSpec } from '../services/daemon';
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

afterAll(async () => {
  await stopDaemon(dirs, 'web');
  await stopDaemon(dirs, 'web2');
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

  it('when a service is stopped, then its process is gone and its pid file removed', async () => {
    const pid = readPid(dirs, 'web')!.pid;
    expect(await stopDaemon(dirs, 'web')).toBe(true);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(readPid(dirs, 'web')).toBeNull();
    expect(await stopDaemon(dirs, 'web')).toBe(false);
  });

  it('when a service dies during start-up, then start fails with its log', async () => {
    const spec: DaemonSpec = { name: 'crash', command: process.execPath, args: ['-e', 'console.error("boom: bad flag"); process.exit(3)'], ready: async () => false, timeoutMs: 10_000 };
    await expect(startDaemon(dirs, spec)).rejects.toThrow(/crash exited during start-up[\s\S]*boom: bad flag/);
    expect(readPid(dirs, 'crash')).toBeNull();
  });
});

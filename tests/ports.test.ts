import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../core/config';
import { runCli } from './support/cli';

// A port that cannot be listened on stops a server at once, with "port N is in use". The port is
// held as a user's machine holds it by chance: by an outgoing connection, which Linux gives any
// port of the ephemeral range (there bind succeeds and listen fails), or by another listener.

const cfg = loadConfig();
let target: Server;
let outgoing: Socket;
let held = 0;
let listener: Server;
let listening = 0;

beforeAll(async () => {
  target = createServer(() => undefined).listen(0, '127.0.0.1');
  await new Promise((r) => target.once('listening', r));
  outgoing = connect({ port: (target.address() as { port: number }).port, host: '127.0.0.1' });
  await new Promise((r) => outgoing.once('connect', r));
  held = outgoing.localPort!;
  listener = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => listener.once('listening', r));
  listening = (listener.address() as { port: number }).port;
});
afterAll(() => {
  outgoing?.destroy();
  target?.close();
  listener?.close();
});

/** The API program as `clues up` runs it; resolves with its exit code and output, or 'running'. */
function startApi(port: number): Promise<{ code: number | 'running'; out: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [join(cfg.root, 'dist', 'api', 'main.js')], {
    env: { ...process.env, CLUES_API_PORT: String(port), CLUES_DB_NAME: `test_ports_${Date.now().toString(36)}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: 'running', out, ms: Date.now() - t0 });
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out, ms: Date.now() - t0 });
    });
  });
}

describe('a port that is in use', () => {
  it('when the API port is held by an outgoing connection or by another listener, then the API says "port N is in use" and exits at once', async () => {
    for (const port of [held, listening]) {
      const r = await startApi(port);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain(`port ${port} is in use`);
      expect(r.out).not.toMatch(/"msg":"listening"/);
      expect(r.ms).toBeLessThan(20_000);
    }
  });

  it('when clues up finds the database or Temporal port held, then it says which port of which service and exits 1 before starting it', async () => {
    const other = join(cfg.root, 'tests', '.tmp', `ports-${randomUUID()}`);
    // Whatever happens, nothing is left running from the other data folder.
    onTestFinished(async () => void (await runCli(['down'], { CLUES_DATA_DIR: other })));
    const db = await runCli(['up'], { CLUES_DATA_DIR: other, CLUES_DB_PORT: String(held) });
    expect(db.code).toBe(1);
    expect(db.stderr.trim()).toBe(`clues: database: port ${held} is in use on 127.0.0.1 (another program, or an outgoing connection, holds it): stop it or choose another port`);

    const temporal = await runCli(['up'], { CLUES_DATA_DIR: other, MONGODB_URI: cfg.mongo.uri, CLUES_TEMPORAL_PORT: String(listening), CLUES_TEMPORAL_UI_PORT: String(held) });
    expect(temporal.code).toBe(1);
    expect(temporal.stdout).toMatch(/database +external/);
    expect(temporal.stderr).toMatch(new RegExp(`^clues: temporal: port ${listening} is in use`));

    // The UI is served only when asked for (issue 20): then its port is checked too.
    const ui = await runCli(['up', '--temporal-ui'], { CLUES_DATA_DIR: other, MONGODB_URI: cfg.mongo.uri, CLUES_TEMPORAL_PORT: String(cfg.temporal.port + 7), CLUES_TEMPORAL_UI_PORT: String(held) });
    expect(ui.code).toBe(1);
    expect(ui.stderr).toMatch(new RegExp(`^clues: temporal: port ${held} is in use`));
  });
});

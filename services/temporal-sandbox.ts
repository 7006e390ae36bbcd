import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';

// Runs inside the embedded Temporal's own network namespace (started by services/temporal-gate.ts
// through `unshare`): brings the namespace's loopback up, starts `temporal server start-dev` on
// it, and bridges Unix sockets in the data folder (700) to its ports. Nothing in this namespace
// is reachable from the machine's network, loopback included: the frontend, the internal
// services' ports, the HTTP API and the metrics port that start-dev opens at random.

export interface SandboxSpec {
  temporal: string;
  temporalArgs: string[];
  /** Unix socket path -> loopback port inside the namespace. */
  bridges: { socket: string; port: number }[];
}

function bridge(socket: string, port: number): Server {
  rmSync(socket, { force: true });
  const server = createServer((inbound) => {
    const outbound = connect(port, '127.0.0.1');
    inbound.pipe(outbound).pipe(inbound);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', close);
    outbound.on('error', close);
  });
  server.listen(socket);
  return server;
}

function main(): void {
  const spec = JSON.parse(process.argv[2] ?? '') as SandboxSpec;
  const lo = spawnSync('ip', ['link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (lo.error || lo.status !== 0) {
    console.error(`cannot bring up the namespace's loopback (ip link set lo up): ${lo.error?.message ?? lo.stderr.trim()}`);
    process.exit(3);
  }
  const temporal = spawn(spec.temporal, spec.temporalArgs, { stdio: ['ignore', 'inherit', 'inherit'] });
  const servers = spec.bridges.map((b) => bridge(b.socket, b.port));
  const stop = () => temporal.kill('SIGTERM');
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  temporal.on('exit', (code, signal) => {
    for (const s of servers) s.close();
    for (const b of spec.bridges) rmSync(b.socket, { force: true });
    process.exit(code ?? (signal ? 1 : 0));
  });
}

main();

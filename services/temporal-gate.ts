import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { SandboxSpec } from './temporal-sandbox';

// The embedded Temporal's only door (issue 20): a mutual-TLS listener on loopback. Temporal's
// dev server has no authentication of its own, so it runs in a network namespace of its own
// (services/temporal-sandbox.ts) and this gate, in the machine's namespace, lets in only
// connections that present the client certificate from the data folder (secrets/temporal-tls,
// services/temporal-tls.ts), then passes their bytes to the sandbox's Unix socket. gRPC runs
// over HTTP/2, so the gate offers ALPN `h2` (the Rust SDK core insists on it). The web UI, when
// asked for, is a plain loopback port: it has no login, and `clues up --temporal-ui` says so.

export interface GateSpec {
  host: string;
  port: number;
  tls: { ca: string; cert: string; key: string };
  socket: string;
  ui?: { port: number; socket: string };
  /** The sandbox's command line: `unshare ...` or, without isolation, node itself. */
  sandbox: { command: string; args: string[] };
  sandboxSpec: SandboxSpec;
}

const log = (msg: string, extra: Record<string, unknown> = {}) => console.error(JSON.stringify({ time: new Date().toISOString(), name: 'temporal-gate', msg, ...extra }));

function pipeTo(socketPath: string, inbound: Socket): void {
  const outbound = connect(socketPath);
  inbound.pipe(outbound).pipe(inbound);
  const close = () => {
    inbound.destroy();
    outbound.destroy();
  };
  inbound.on('error', close);
  outbound.on('error', close);
}

function main(): void {
  const spec = JSON.parse(process.argv[2] ?? '') as GateSpec;
  const sandbox = spawn(spec.sandbox.command, [...spec.sandbox.args, JSON.stringify(spec.sandboxSpec)], { stdio: ['ignore', 'inherit', 'inherit'] });
  sandbox.on('exit', (code, signal) => {
    log('the Temporal sandbox exited', { code, signal });
    process.exit(code || 1);
  });
  const stop = () => sandbox.kill('SIGTERM');
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  // Refused handshakes (no certificate, a wrong one) are counted and logged once a minute.
  let refused = 0;
  setInterval(() => {
    if (refused) log('connections refused without this data folder\'s client certificate', { refused });
    refused = 0;
  }, 60_000).unref();

  const gate = createTlsServer(
    {
      ca: readFileSync(spec.tls.ca),
      cert: readFileSync(spec.tls.cert),
      key: readFileSync(spec.tls.key),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
      ALPNProtocols: ['h2'],
    },
    (tls) => pipeTo(spec.socket, tls),
  );
  gate.on('tlsClientError', () => refused++);
  gate.listen(spec.port, spec.host);
  if (spec.ui) {
    const ui = spec.ui;
    createServer((s) => pipeTo(ui.socket, s)).listen(ui.port, spec.host);
  }
}

main();

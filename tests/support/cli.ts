import { execFile, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { Config } from '../../core/config';

const BIN = join(__dirname, '..', '..', 'bin', 'clues.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `clues` executable (built dist/) with extra environment. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 180_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Environment that lets another data folder reach this one's Temporal as an external cluster (TLS). */
export function temporalTlsEnv(cfg: Config): Record<string, string> {
  const t = cfg.temporal.tls;
  return t ? { CLUES_TEMPORAL_TLS_CA: t.ca, CLUES_TEMPORAL_TLS_CERT: t.cert, CLUES_TEMPORAL_TLS_KEY: t.key, ...(t.serverName ? { CLUES_TEMPORAL_TLS_SERVER_NAME: t.serverName } : {}) } : {};
}

/**
 * Runs `clues` with its stdout read through a pipe by a slow reader, as a script or `| gzip`
 * reads it: after the first chunk nothing is read for `waitMs`, then a chunk at a time with a pause
 * between reads.
 */
export function runCliSlowReader(args: string[], env: Record<string, string>, opts: { waitMs?: number; pauseMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const chunks: Buffer[] = [];
    const exited = new Promise<number>((res) => child.once('exit', (code, signal) => res(code ?? (signal ? 128 : 1))));
    const read = async () => {
      // Read from the start (a child's stdout that no one reads is discarded when it exits),
      // then wait after the first chunk and pause after each: the writer has to wait.
      for await (const chunk of child.stdout) {
        chunks.push(chunk as Buffer);
        await sleep(chunks.length === 1 ? (opts.waitMs ?? 1500) : (opts.pauseMs ?? 2));
      }
    };
    Promise.all([read(), exited])
      .then(([, code]) => {
        clearTimeout(timer);
        resolve({ code, stdout: Buffer.concat(chunks).toString('utf8'), stderr });
      })
      .catch(reject);
  });
}

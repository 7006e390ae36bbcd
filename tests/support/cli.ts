import { execFile } from 'node:child_process';
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

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPayloadKeys } from '../client/payload-keys';
import { loadConfig } from '../core/config';
import { mongoAnswers, temporalAnswers } from '../services/probes';
import { tempDir } from './support/fixtures';

// Issue 20, item 1: another user of the machine (nobody) is refused by the database, by Temporal
// and by the data folder. The probe (tests/support/unprivileged-probe.ts) is bundled into a
// folder nobody can read, and run as nobody with setpriv. Needs root to change user (CI is root).

const cfg = loadConfig();
const NOBODY = 65534;

function cannotSwitchUser(): string | null {
  if (process.platform !== 'linux') return `Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return `changing to another user needs root (this runs as uid ${process.getuid?.()})`;
  const probe = spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'true']);
  if (probe.error || probe.status !== 0) return `setpriv does not work here (${probe.error?.message ?? probe.stderr.toString().trim()})`;
  return null;
}

type Outcome = { ok: boolean; error?: string; detail?: unknown };
let results: Record<string, Outcome> = {};

beforeAll(async () => {
  if (cannotSwitchUser()) return;
  const dir = tempDir('unprivileged');
  chmodSync(dir, 0o755);
  const out = join(dir, 'probe.js');
  await build({ entryPoints: [join(__dirname, 'support', 'unprivileged-probe.ts')], bundle: true, platform: 'node', target: 'node20', outfile: out, logLevel: 'error' });
  chmodSync(out, 0o644);
  loadPayloadKeys(cfg.paths.payloadKeys); // made by the first client otherwise
  const files = [cfg.paths.databasePassword, cfg.paths.payloadKeys, join(cfg.paths.temporalTls, 'client-key.pem'), cfg.paths.temporalDb, join(cfg.paths.logs, 'database.log')];
  expect(files.every(existsSync), files.join(', ')).toBe(true); // they exist: refusals below are real
  mkdirSync(cfg.paths.run, { recursive: true });
  const target = { dbPort: cfg.mongo.port, temporalPort: cfg.temporal.port, dataDir: cfg.dataDir, socket: join(cfg.paths.run, 'temporal.sock'), files };
  const stdout = execFileSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, out, JSON.stringify(target)], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  results = JSON.parse(stdout) as typeof results;
  // The same services answer the project (the control): the refusals are nobody's alone.
  expect(await temporalAnswers(cfg.temporal)).toBe(true);
  expect(await mongoAnswers(cfg.mongo.uri)).toBe(true);
  if (process.env.CLUES_SHOW_PROBE) console.log(results);
});

describe('another user of the machine', () => {
  it('when nobody reaches the database without a credential, then listing, reading and writing tokens and creating a user are all refused', (t) => {
    const why = cannotSwitchUser();
    if (why) t.skip(`SKIPPED: ${why}`);
    expect(results.uid?.detail).toBe(NOBODY);
    for (const k of ['dbListDatabases', 'dbFindTokens', 'dbInsertToken', 'dbCreateUser']) {
      expect(results[k], k).toMatchObject({ ok: false });
      expect(results[k]!.error, k).toMatch(/^13 .*requires authentication|Unauthorized/);
    }
  });

  it('when nobody calls Temporal, without a client certificate, in plain HTTP/2 or through its socket, then nothing answers', (t) => {
    const why = cannotSwitchUser() ?? (cfg.temporal.tls ? null : 'Temporal runs without isolation (CLUES_TEMPORAL_ISOLATION=none)');
    if (why) t.skip(`SKIPPED: ${why}`);
    for (const k of ['temporalTlsWithoutCertificate', 'temporalPlain', 'temporalSocket']) expect(results[k], k).toMatchObject({ ok: false });
    // Refused by the gate, which is there: not a port that nothing listens on.
    for (const k of ['temporalTlsWithoutCertificate', 'temporalPlain']) expect(results[k]!.error, k).not.toMatch(/ECONNREFUSED/);
    expect(results.temporalSocket!.error).toMatch(/EACCES/);
  });

  it('when nobody reads the data folder, the secrets, the Temporal database or a log, then each is refused', (t) => {
    const why = cannotSwitchUser();
    if (why) t.skip(`SKIPPED: ${why}`);
    const reads = Object.entries(results).filter(([k]) => k === 'dataFolder' || k.startsWith('read '));
    expect(reads.length).toBe(6);
    for (const [k, r] of reads) expect(r, k).toMatchObject({ ok: false, error: expect.stringMatching(/EACCES/) });
  });
});

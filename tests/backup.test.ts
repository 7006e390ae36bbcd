import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { connectClient } from '../client/temporal-client';
import { loadConfig, type Config } from '../core/config';
import { readPid } from '../services/daemon';
import { downServices, upServices } from '../services/embedded';
import { openStore } from '../store';
import { runCli } from './support/cli';
import { tempDir } from './support/fixtures';
import { imageInput, sha } from './support/store';

// Issue 20, item 6: `clues backup` while everything runs and writes, `clues restore` into a fresh
// data folder, and the restored services hold what was there: a store consistent at one moment
// (pairs written in one transaction are both there or both not), the tokens, Temporal's running
// workflow, whose encrypted input still decrypts (the keys came along), and the credential.
// Its own servers, on ports beside the test run's, since a restore needs them stopped.

const base = loadConfig();
const ports = { CLUES_DB_PORT: String(base.mongo.port + 7), CLUES_TEMPORAL_PORT: String(base.temporal.port + 7), CLUES_TEMPORAL_UI_PORT: String(base.temporal.uiPort + 7) };
// The durable default (the rest of the tests turn it off for speed: vitest.config.mts).
const envFor = (dataDir: string) => ({ ...ports, CLUES_DATA_DIR: dataDir, CLUES_DB_NAME: 'clues', CLUES_DB_SYNC_ON_COMMIT: 'on' });
const cfgFor = (dataDir: string): Config => loadConfig({ ...process.env, ...envFor(dataDir) });
const before = cfgFor(tempDir('backup-before'));
const after = cfgFor(tempDir('backup-after'));
const backupDir = join(tempDir('backup-out'), 'backup');
const queue = `nowhere-${randomUUID()}`;
const runId = `run-20300101T000000-${randomUUID().slice(0, 4)}`;

afterAll(async () => {
  await downServices(before, ['temporal', 'database']).catch(() => undefined);
  await downServices(after, ['temporal', 'database']).catch(() => undefined);
});

/** Pairs written in one transaction until `stop`: a consistent copy has both of each or neither. */
async function writePairs(uri: string, stop: { done: boolean }): Promise<number> {
  const client = new MongoClient(uri);
  await client.connect();
  let n = 0;
  try {
    const db = client.db('clues');
    while (!stop.done) {
      await client.withSession((s) => s.withTransaction(async () => {
        await db.collection('pair_a').insertOne({ _id: n as never }, { session: s });
        await db.collection('pair_b').insertOne({ _id: n as never }, { session: s });
      }));
      n++;
    }
  } finally {
    await client.close();
  }
  return n;
}

describe('backup and restore', () => {
  it('when a running data folder is backed up while it writes, and restored into a fresh one, then the store, the tokens, a running workflow and its encrypted input, and the credential all come back, consistent', async () => {
    expect(loadConfig({}).mongo.syncOnCommit).toBe(true); // durable unless told otherwise
    await upServices(before, ['database', 'temporal']);
    const db = readPid(before.paths, 'database')!.pid;
    expect(readFileSync(`/proc/${db}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining(['--auth', '--sync-on-commit']));
    const store = await openStore(before.mongo.uri, 'clues');
    for (let i = 0; i < 20; i++) await store.images.save(imageInput(sha(900 + i), {}));
    const token = await store.tokens.create('backup-analyst', 'analyst');
    await store.close();
    const client = await connectClient(before);
    await client.workflow.start('processBatch', { workflowId: runId, taskQueue: queue, args: [{ runId, source: { kind: 'folder', path: '/evidence/seizure-secret-42' }, concurrency: 1, pageSize: 10 }] });
    await client.connection.close();

    const stop = { done: false };
    const writer = writePairs(before.mongo.uri, stop);
    await new Promise((r) => setTimeout(r, 300));
    const b = await runCli(['backup', backupDir, '--json'], envFor(before.dataDir));
    stop.done = true;
    const written = await writer;
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    const manifest = JSON.parse(b.stdout) as { parts: Record<string, boolean> };
    expect(manifest.parts).toEqual({ database: true, temporal: true, secrets: true, blobs: true });
    expect(statSync(backupDir).mode & 0o777).toBe(0o700);
    expect(written).toBeGreaterThan(0);

    // A restore refuses while the folder's services run.
    const refused = await runCli(['restore', backupDir], envFor(before.dataDir));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/stop this data folder's services first/);
    await downServices(before, ['temporal', 'database']);

    const r = await runCli(['restore', backupDir, '--json'], envFor(after.dataDir));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await upServices(after, ['database', 'temporal']);
    const restored = await openStore(after.mongo.uri, 'clues');
    try {
      expect(await restored.tokens.principal(token)).toEqual({ name: 'backup-analyst', role: 'analyst' });
      expect(await restored.images.get(sha(919))).toMatchObject({ sha256: sha(919) });
      const a = (await restored.raw('pair_a').find().toArray()).map((d) => d._id as unknown as number).sort((x, y) => x - y);
      const bIds = (await restored.raw('pair_b').find().toArray()).map((d) => d._id as unknown as number).sort((x, y) => x - y);
      expect(a).toEqual(bIds); // one moment: every pair whole
      expect(a).toEqual(Array.from({ length: a.length }, (_, i) => i)); // and no gap before it
      expect(a.length).toBeLessThanOrEqual(written);
    } finally {
      await restored.close();
    }
    const c = await connectClient(after);
    try {
      expect((await c.workflow.getHandle(runId).describe()).status.name).toBe('RUNNING');
      const history = await c.workflow.getHandle(runId).fetchHistory();
      const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
      expect(Buffer.from(input[0]!.data!).toString('latin1')).not.toContain('seizure-secret-42');
      const [plain] = await c.options.loadedDataConverter.payloadCodecs[0]!.decode(input);
      expect(Buffer.from(plain!.data!).toString()).toContain('/evidence/seizure-secret-42');
      await c.workflow.getHandle(runId).terminate('test over');
    } finally {
      await c.connection.close();
    }
  });
});

import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../core/config';
import { startDaemon, stopDaemon } from '../services/daemon';
import { dirs, downServices, tool, upServices } from '../services/embedded';
import { mongoAnswers } from '../services/probes';
import { openStore } from '../store';
import { runCli } from './support/cli';
import { tempDir } from './support/fixtures';
import { sha } from './support/store';

// A data folder as an earlier version left it: FerretDB 1.24 on SQLite, images that kept the ids of
// their clues, the search log and page documents beside them. `clues migrate-ferretdb` carries it
// into the embedded SecantusDB; `clues up` refuses to start an empty database beside it before.

const env: Record<string, string> = { CLUES_DB_PORT: '27641', CLUES_TEMPORAL_PORT: '27673', CLUES_TEMPORAL_UI_PORT: '27674', CLUES_API_PORT: '28641' };
let cfg: Config;
let token: string;

beforeAll(async () => {
  env.CLUES_DATA_DIR = join(tempDir('migrate'), 'data');
  cfg = loadConfig({ ...process.env, ...env });
  if (!existsSync(join(cfg.root, '.tools', 'bin', 'ferretdb'))) throw new Error('FerretDB is not built: scripts/test.sh builds it (scripts/install-tools.sh ferretdb)');
  mkdirSync(cfg.paths.ferretdb, { recursive: true });
  const port = 27648;
  await startDaemon(dirs(cfg), {
    name: 'old-ferretdb',
    command: tool(cfg, 'ferretdb'),
    args: ['--handler=sqlite', `--sqlite-url=file:${cfg.paths.ferretdb}/`, `--listen-addr=127.0.0.1:${port}`, '--telemetry=disable', '--log-level=WARN', '--debug-addr=-', `--state-dir=${cfg.paths.ferretdb}`],
    ready: () => mongoAnswers(`mongodb://127.0.0.1:${port}/`),
  });
  const old = await MongoClient.connect(`mongodb://127.0.0.1:${port}/`);
  try {
    const db = old.db(cfg.mongo.dbName);
    const now = new Date();
    await db.collection('images').insertMany([
      { _id: sha(1) as never, sha256: sha(1), paths: ['/evidence/1.jpg'], cases: ['case-7'], status: 'processed', clueIds: { text: [`${sha(1)}:text:a`] }, pdq: { hash: 'f'.repeat(64), quality: 90 }, createdAt: now, updatedAt: now },
      { _id: sha(2) as never, sha256: sha(2), paths: ['/evidence/2.jpg'], cases: [], status: 'failed', failure: { code: 'undecodable', reason: 'cannot decode image', at: now }, createdAt: now, updatedAt: now },
    ]);
    await db.collection('clues').insertMany([
      { _id: `${sha(1)}:text:a` as never, sha256: sha(1), stage: 'text', type: 'text', value: 'QUOLL BAKERY', tokens: ['quoll', 'bakery'], score: 0.9, createdAt: now },
      { _id: `${sha(1)}:tags:b` as never, sha256: sha(1), stage: 'tags', type: 'tag', value: 'enamel cup', tokens: ['enamel', 'cup'], detail: { source: 'analyst' }, createdAt: now },
    ]);
    // A token as earlier versions stored it: the SHA-256 of the token, never the token.
    token = `clu_${'A'.repeat(43)}`;
    const { createHash } = await import('node:crypto');
    await db.collection('tokens').insertOne({ _id: createHash('sha256').update(token).digest('hex') as never, name: 'old-analyst', role: 'analyst', createdAt: now });
    await db.collection('audit').insertOne({ actor: 'old-analyst', action: 'search', detail: { text: 'quoll' }, at: now });
    await db.collection('public_crops').insertOne({ _id: 'TAO-0123456789' as never, clueId: `${sha(1)}:objects:c`, sha256: sha(1), label: 'cup', cropBox: { x: 1, y: 1, w: 5, h: 5 }, file: 'public-crops/TAO-0123456789.jpg', question: 'Where?', status: 'published', publishedBy: 'rev', publishedAt: now, accepted: [] });
    await db.collection('search_log_v2_000000').insertOne({ _id: 'L000000000000' as never, entry: '{}' });
  } finally {
    await old.close();
    await stopDaemon(dirs(cfg), 'old-ferretdb');
  }
}, 240_000);

afterAll(async () => {
  if (cfg) await downServices(cfg, ['database']);
});

describe('a data folder from an earlier version (FerretDB)', () => {
  it('when the new database would start beside it, then it refuses and says how to carry it over', async () => {
    await expect(upServices(cfg, ['database'])).rejects.toThrow(/holds data from an earlier version \(FerretDB.*clues migrate-ferretdb/);
  });

  it('when it is migrated, then images, clues, tokens, audit and crops come across, search finds the old words, and the old files are kept', async () => {
    const r = await runCli(['migrate-ferretdb'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/images +2 -> 2/);
    expect(r.stdout).toMatch(/clues +2 -> 2/);
    expect(readdirSync(cfg.dataDir).some((f) => /^ferretdb-migrated-\d{4}-\d\d-\d\d$/.test(f))).toBe(true);
    await upServices(cfg, ['database']);
    const store = await openStore(cfg.mongo.uri, cfg.mongo.dbName);
    try {
      expect(await store.tokens.principal(token)).toEqual({ name: 'old-analyst', role: 'analyst' });
      expect((await store.audit.recent(10)).map((a) => a.action)).toContain('search');
      expect(await store.crops.published('TAO-0123456789')).toMatchObject({ label: 'cup' });
      expect(await store.images.get(sha(2))).toMatchObject({ status: 'failed', failure: { code: 'undecodable' } });
      expect((await store.images.get(sha(1)))?.pdqKeys).toHaveLength(16);
    } finally {
      await store.close();
    }
    const search = await runCli(['search', '--text', 'quoll', '--case', 'case-7', '--json'], env);
    expect(JSON.parse(search.stdout).map((h: { sha256: string }) => h.sha256)).toEqual([sha(1)]);
    const tag = await runCli(['search', '--text', 'enamel', '--json'], env);
    expect(JSON.parse(tag.stdout)).toHaveLength(1);
  });

  it('when migrate is run again, then there is nothing left to migrate', async () => {
    await downServices(cfg, ['database']);
    const r = await runCli(['migrate-ferretdb'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nothing to migrate/);
  });
});

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MongoClient } from 'mongodb';
import type { Config } from '../core/config';
import { privateDir } from '../core/file-permissions';
import { readPid } from './daemon';
import { ALL_SERVICES } from './embedded';

// `clues backup <dir>` and `clues restore <dir>` for a data folder whose servers are embedded.
// A backup is taken while everything runs, in an order that keeps it consistent: Temporal's state
// first (SQLite's online backup), then the store (SecantusDB's hot backup: a checkpoint whose files
// WiredTiger holds still while they are archived; transactions wait meanwhile), then the derived
// files. A workflow that finished between the first two is one Temporal replays after a restore,
// and its saves are idempotent; the reverse order would lose its clues. The secrets (database
// password, payload keys, Temporal's certificates) go with it: the histories do not decrypt
// without the keys. A backup is evidence: the folder is 700, its files 600.

const FORMAT = 'clues-backup-1';
/** What in the data folder is neither a server's files, secrets, nor process state: the derived files. */
const NOT_BLOBS = new Set(['secantus', 'temporal', 'secrets', 'logs', 'run', 'thumbnails', 'health', 'test', 'ferretdb', 'ferretdb-migrating']);

export interface BackupManifest {
  format: typeof FORMAT;
  createdAt: string;
  dataDir: string;
  parts: { database: boolean; temporal: boolean; secrets: boolean; blobs: boolean };
  /** What a part leaves out, and why. */
  notes: string[];
  /** sha256 of every file in the backup but this manifest. */
  files: Record<string, string>;
}

function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

function sqliteBackup(from: string, to: string): void {
  const py = 'import sqlite3, sys\nsrc = sqlite3.connect(sys.argv[1])\ndst = sqlite3.connect(sys.argv[2])\nsrc.backup(dst)\ndst.close()\nsrc.close()\n';
  const r = spawnSync('python3', ['-c', py, from, to], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`could not back up Temporal's database ${from}: ${r.error?.message ?? r.stderr.trim()}`);
}

export async function backup(cfg: Config, dir: string, say: (line: string) => void = () => undefined): Promise<BackupManifest> {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty: a backup goes into a new folder`);
  privateDir(dir);
  const notes: string[] = [];
  const parts = { database: false, temporal: false, secrets: false, blobs: false };

  if (cfg.temporal.embedded && existsSync(cfg.paths.temporalDb)) {
    sqliteBackup(cfg.paths.temporalDb, join(dir, 'temporal.sqlite'));
    parts.temporal = true;
    say('temporal   state copied (SQLite online backup)');
  } else notes.push(cfg.temporal.embedded ? 'Temporal has no database yet' : 'TEMPORAL_ADDRESS: the cluster is backed up by its own operators');

  if (cfg.mongo.embedded) {
    if (!readPid(cfg.paths, 'database')) throw new Error('the database is not running: `clues up` first (the backup is taken by the running server)');
    const client = new MongoClient(cfg.mongo.uri, { serverSelectionTimeoutMS: 10_000 });
    try {
      await client.connect();
      const res = await client.db('admin').command({ 'secantusAdmin.backupArchive': 1, outputPath: join(dir, 'database.tar.gz') });
      say(`database   archived (${Math.round(Number(res.sizeBytes) / 1024)} KiB, a consistent checkpoint)`);
    } finally {
      await client.close();
    }
    parts.database = true;
  } else notes.push('MONGODB_URI: the store is backed up with the cluster\'s own tools (mongodump --oplog, snapshots)');

  if (existsSync(cfg.paths.secrets)) {
    cpSync(cfg.paths.secrets, join(dir, 'secrets'), { recursive: true });
    parts.secrets = true;
  }
  if (cfg.storage.kind === 'file') {
    const root = cfg.storage.root;
    const shared = root === cfg.dataDir;
    for (const name of existsSync(root) ? readdirSync(root) : []) {
      if (name.includes('.before-restore-')) continue;
      if (shared && (NOT_BLOBS.has(name) || name.startsWith('bench'))) continue;
      cpSync(join(root, name), join(dir, 'blobs', name), { recursive: true });
    }
    parts.blobs = true;
    say('files      crops, keypoints, frames, listings, uploads copied');
  } else notes.push('CLUES_STORAGE is S3: the bucket is backed up with its own tools (versioning, replication)');

  const files: Record<string, string> = {};
  for (const f of filesUnder(dir)) files[f] = await sha256(join(dir, f));
  const manifest: BackupManifest = { format: FORMAT, createdAt: new Date().toISOString(), dataDir: cfg.dataDir, parts, notes, files };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}

/**
 * Puts a backup in place of this data folder's servers' files, with every service stopped. What it
 * replaces is moved aside (`<name>.before-restore-<time>`), never deleted.
 */
export async function restore(cfg: Config, dir: string, say: (line: string) => void = () => undefined): Promise<BackupManifest> {
  const running = ALL_SERVICES.filter((s) => readPid(cfg.paths, s));
  if (running.length) throw new Error(`stop this data folder's services first (\`clues down\`): ${running.join(', ')} still run`);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  if (manifest.format !== FORMAT) throw new Error(`${dir} is not a backup made by clues backup`);
  for (const [f, want] of Object.entries(manifest.files)) {
    const path = join(dir, f);
    if (!existsSync(path) || (await sha256(path)) !== want) throw new Error(`${f} in ${dir} is missing or damaged (sha256 differs from the manifest); nothing was restored`);
  }
  privateDir(cfg.dataDir);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const aside = (path: string) => {
    if (existsSync(path)) renameSync(path, `${path}.before-restore-${stamp}`);
  };
  if (manifest.parts.database) {
    aside(cfg.paths.database);
    mkdirSync(cfg.paths.database, { recursive: true, mode: 0o700 });
    const r = spawnSync('tar', ['-xzf', join(dir, 'database.tar.gz'), '-C', cfg.paths.database], { encoding: 'utf8' });
    if (r.error || r.status !== 0) throw new Error(`could not unpack the database archive: ${r.error?.message ?? r.stderr.trim()}`);
    say('database   unpacked');
  }
  if (manifest.parts.temporal) {
    const tdir = join(cfg.paths.temporalDb, '..');
    aside(tdir);
    mkdirSync(tdir, { recursive: true, mode: 0o700 });
    cpSync(join(dir, 'temporal.sqlite'), cfg.paths.temporalDb);
    say('temporal   state in place');
  }
  if (manifest.parts.secrets) {
    aside(cfg.paths.secrets);
    cpSync(join(dir, 'secrets'), cfg.paths.secrets, { recursive: true });
  }
  if (manifest.parts.blobs && cfg.storage.kind === 'file' && existsSync(join(dir, 'blobs'))) {
    for (const name of readdirSync(join(dir, 'blobs'))) {
      aside(join(cfg.storage.root, name));
      cpSync(join(dir, 'blobs', name), join(cfg.storage.root, name), { recursive: true });
    }
    say('files      in place');
  }
  rmSync(join(cfg.paths.run, 'temporal.sock'), { force: true });
  say(`restored the backup of ${manifest.createdAt} (${relative(cfg.dataDir, dir) || dir}); start it with \`clues up\``);
  return manifest;
}

import { spawnSync } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type { Config } from '../core/config';
import { readPid, startDaemon, stopDaemon } from '../services/daemon';
import { dirs, legacyDataFolder, migratingFolder, tool, upServices } from '../services/embedded';
import { mongoAnswers } from '../services/probes';
import { openStore } from '../store';
import { copyStore } from '../usecases/copy-store';

/**
 * `clues migrate-ferretdb`: carries a data folder made by an earlier version (FerretDB 1.24 on
 * SQLite) into the embedded SecantusDB. FerretDB itself reads its files (built from the Go module
 * proxy for this, on a loopback port of its own); every record is copied, search terms are built
 * afresh, and the old folder is kept, renamed, until the operator removes it.
 */
export async function migrateFerretdb(cfg: Config): Promise<number> {
  if (!cfg.mongo.embedded) throw new Error('usage: migrate-ferretdb carries the embedded database over; MONGODB_URI is set, so there is none');
  const source = existsSync(migratingFolder(cfg)) ? migratingFolder(cfg) : legacyDataFolder(cfg);
  if (!source) {
    console.log(`nothing to migrate: ${cfg.dataDir} holds no FerretDB data`);
    return 0;
  }
  if (readPid(dirs(cfg), 'database') || readPid(dirs(cfg), 'worker') || readPid(dirs(cfg), 'api')) throw new Error('usage: stop the services first (`clues down`)');
  if (!existsSync(join(cfg.root, '.tools', 'bin', 'ferretdb'))) {
    console.log('building FerretDB to read the old files (about a minute)…');
    const built = spawnSync('bash', [join(cfg.root, 'scripts', 'install-tools.sh'), 'ferretdb'], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('FerretDB could not be built (it needs Go); the old folder is untouched');
  }
  if (source !== migratingFolder(cfg)) renameSync(source, migratingFolder(cfg));
  const port = cfg.mongo.port + 7;
  const oldUri = `mongodb://127.0.0.1:${port}/`;
  await startDaemon(dirs(cfg), {
    name: 'ferretdb-migration',
    command: tool(cfg, 'ferretdb'),
    args: ['--handler=sqlite', `--sqlite-url=file:${migratingFolder(cfg)}/`, `--listen-addr=127.0.0.1:${port}`, '--telemetry=disable', '--log-level=WARN', '--debug-addr=-', `--state-dir=${migratingFolder(cfg)}`],
    ready: () => mongoAnswers(oldUri),
  });
  try {
    await upServices(cfg, ['database'], () => undefined, { migrating: true });
    const old = await MongoClient.connect(oldUri, { serverSelectionTimeoutMS: 10_000 });
    const store = await openStore(cfg.mongo.uri, cfg.mongo.dbName);
    try {
      let last = '';
      const report = await copyStore(old.db(cfg.mongo.dbName), store, (name, n) => {
        if (process.stdout.isTTY) process.stdout.write(`\r  ${name}: ${n}   `);
        last = name;
      });
      if (last && process.stdout.isTTY) process.stdout.write('\n');
      const short = Object.entries(report.copied).filter(([, c]) => c.target < c.source);
      for (const [name, c] of Object.entries(report.copied)) console.log(`${name.padEnd(14)} ${c.source} -> ${c.target}`);
      if (short.length) throw new Error(`not everything was copied (${short.map(([n]) => n).join(', ')}); the old data is kept in ${migratingFolder(cfg)}: run migrate-ferretdb again`);
    } finally {
      await store.close();
      await old.close();
    }
  } finally {
    await stopDaemon(dirs(cfg), 'ferretdb-migration');
  }
  const kept = `${cfg.paths.ferretdb}-migrated-${new Date().toISOString().slice(0, 10)}`;
  renameSync(migratingFolder(cfg), kept);
  console.log(`migrated; the old files are kept in ${kept} (remove them when you are satisfied). Start with \`clues up\`.`);
  return 0;
}

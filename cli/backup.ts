import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Config } from '../core/config';
import { backup, restore } from '../services/backup';
import { withStore } from './commands';

/** `clues backup <dir>`: while everything runs; `clues restore <dir>`: with everything stopped. */
export async function backupCommand(cfg: Config, dir: string | undefined, json: boolean): Promise<void> {
  if (!dir) throw new Error('usage: clues backup <new-folder>');
  const m = await backup(cfg, resolve(dir), json ? undefined : (l) => console.error(l));
  await withStore(cfg, (store) => store.audit.write({ actor: `cli:${userInfo().username}`, action: 'backup', target: resolve(dir), detail: { parts: m.parts, files: Object.keys(m.files).length } }));
  console.log(json ? JSON.stringify({ dir: resolve(dir), ...m, files: Object.keys(m.files).length }) : `backup in ${resolve(dir)}: ${Object.keys(m.files).length} files${m.notes.length ? `; ${m.notes.join('; ')}` : ''}`);
}

export async function restoreCommand(cfg: Config, dir: string | undefined, json: boolean): Promise<void> {
  if (!dir) throw new Error('usage: clues restore <backup-folder>   (after clues down)');
  const m = await restore(cfg, resolve(dir), json ? undefined : (l) => console.error(l));
  if (json) console.log(JSON.stringify({ dir: resolve(dir), createdAt: m.createdAt, parts: m.parts }));
}

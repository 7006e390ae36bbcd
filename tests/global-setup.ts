import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { loadConfig } from '../core/config';
import { readPid } from '../services/daemon';
import { downServices, upServices, type ServiceName } from '../services/embedded';

// Starts the real FerretDB and Temporal dev server (or reuses ones started from the test data
// folder) and bundles the workflow code once for every test file's workers.
export default async function setup(): Promise<() => Promise<void>> {
  const cfg = loadConfig();
  // A fresh test data folder per run when nothing is running from it; never any other folder.
  const testDir = join(cfg.root, '.data', 'test');
  if (cfg.dataDir === testDir && !readPid(cfg.paths, 'database') && !readPid(cfg.paths, 'temporal')) {
    rmSync(testDir, { recursive: true, force: true });
  }
  const started: ServiceName[] = [];
  await upServices(cfg, ['database', 'temporal'], (name, outcome) => {
    if (outcome === 'started') started.push(name);
    console.log(`[tests] ${name}: ${outcome}`);
  });
  const tmp = join(cfg.root, 'tests', '.tmp');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(cfg.root, 'workflows', 'index.ts'),
    failureConverterPath: join(cfg.root, 'core', 'failure-converter.ts'),
    logger: new DefaultLogger('WARN'),
  });
  writeFileSync(join(tmp, 'workflow-bundle.js'), code);
  return async () => {
    if (started.length) await downServices(cfg, started);
  };
}

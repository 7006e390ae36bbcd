import { join } from 'node:path';
import type { Config } from '../core/config';
import { nodeEnv } from '../core/node-env';
import { EngineProcess } from './engine-process';
import { EnginePool, type EngineRole } from './engine-pool';

/** The engine process of this worker (or test), from the compiled entry point. */
type EngineOptions = { env?: NodeJS.ProcessEnv; callTimeoutMs?: number; log?: (message: string) => void; maxConcurrent?: number };

export function startEngine(cfg: Config, opts: EngineOptions = {}): Promise<EngineProcess> {
  return EngineProcess.start({
    script: join(cfg.root, 'dist', 'engine', 'host-main.js'),
    env: { ...nodeEnv(), ...opts.env },
    // The models' own heaps are native or wasm; the JS heap stays small.
    execArgv: ['--max-old-space-size=1024'],
    callTimeoutMs: opts.callTimeoutMs ?? cfg.worker.engineTimeoutMs,
    maxConcurrent: opts.maxConcurrent ?? cfg.worker.cpuConcurrency,
    startTimeoutMs: 180_000,
    log: opts.log ?? ((m) => console.error(`[engine] ${m}`)),
  });
}

/**
 * A worker's engines: CLUES_ENGINE_PROCESSES processes (one core each), sharing the worker's CPU
 * concurrency between them. Two or more split the models (vision, text, vision, ...): the OCR
 * engines in one process and the other models in another hold one set of models between them,
 * where two full engines held two (docs/batch.md).
 */
export async function startEngines(cfg: Config, opts: Omit<EngineOptions, 'maxConcurrent'> = {}): Promise<EnginePool> {
  const { processes, callsPerProcess } = cfg.engine;
  const roles: EngineRole[] = processes === 1 ? ['all'] : Array.from({ length: processes }, (_, i) => (i % 2 === 0 ? 'vision' : 'text'));
  const engines = await Promise.all(roles.map((role) => startEngine(cfg, { ...opts, env: { ...opts.env, CLUES_ENGINE_ROLE: role }, maxConcurrent: callsPerProcess })));
  return new EnginePool(engines, roles);
}

import { join } from 'node:path';
import type { Config } from '../core/config';
import { nodeEnv } from '../services/embedded';
import { EngineProcess } from './engine-process';

/** The engine process of this worker (or test), from the compiled entry point. */
export function startEngine(cfg: Config, opts: { env?: NodeJS.ProcessEnv; callTimeoutMs?: number; log?: (message: string) => void } = {}): Promise<EngineProcess> {
  return EngineProcess.start({
    script: join(cfg.root, 'dist', 'engine', 'host-main.js'),
    env: { ...nodeEnv(), ...opts.env },
    // The models' own heaps are native or wasm; the JS heap stays small.
    execArgv: ['--max-old-space-size=1024'],
    callTimeoutMs: opts.callTimeoutMs ?? cfg.worker.engineTimeoutMs,
    maxConcurrent: cfg.worker.cpuConcurrency,
    startTimeoutMs: 180_000,
    log: opts.log ?? ((m) => console.error(`[engine] ${m}`)),
  });
}

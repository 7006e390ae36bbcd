import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export type Tf = typeof tf;
let ready: Promise<{ tf: Tf; backend: string }> | undefined;

/**
 * TensorFlow.js with the fastest backend this machine has: tfjs-node where its native library
 * installed, otherwise the wasm backend loading its .wasm files from node_modules (never a CDN).
 */
export function tfjs(threads = 1): Promise<{ tf: Tf; backend: string }> {
  ready ??= (async () => {
    try {
      require('@tensorflow/tfjs-node');
      await tf.setBackend('tensorflow');
    } catch {
      const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(p: string): void; setThreadsCount(n: number): void };
      wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
      wasm.setThreadsCount(threads); // used where the wasm build has threads; a single-threaded build ignores it
      await tf.setBackend('wasm');
    }
    await tf.ready();
    return { tf, backend: tf.getBackend() };
  })();
  return ready;
}

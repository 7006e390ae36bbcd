import type { InferenceSession } from 'onnxruntime-node';

/**
 * Session options of every onnxruntime model: calls run one at a time per engine process, so one
 * inter-op thread. The CPU memory arena stays on: turned off, each engine process held about
 * 50 MiB less and its models cost 5% more CPU (bench:batch, docs/batch.md).
 */
export function ortSessionOptions(threads: number): InferenceSession.SessionOptions {
  return { intraOpNumThreads: threads, interOpNumThreads: 1, executionProviders: ['cpu'] };
}

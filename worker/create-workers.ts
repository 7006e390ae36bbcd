import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../core/config';

export type Activities = Record<string, (...args: never[]) => Promise<unknown>>;

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  queues: { io: string; cpu: string };
  activities: Activities;
  concurrency: { io: number; cpu: number };
  /** Precompiled workflow bundle (tests) or the workflows module path (production). */
  workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;
}

/**
 * Two workers in one process: `io` runs workflows and light activities, `cpu` runs model
 * inference with its own concurrency. Either queue can also be served by other machines.
 */
export async function createWorkers(s: WorkerSetup): Promise<Worker[]> {
  const io = await Worker.create({
    connection: s.connection,
    namespace: s.namespace,
    taskQueue: s.queues.io,
    ...s.workflows,
    activities: s.activities,
    maxConcurrentActivityTaskExecutions: s.concurrency.io,
  });
  const cpu = await Worker.create({
    connection: s.connection,
    namespace: s.namespace,
    taskQueue: s.queues.cpu,
    activities: s.activities,
    maxConcurrentActivityTaskExecutions: s.concurrency.cpu,
  });
  return [io, cpu];
}

export function connectWorker(cfg: Config): Promise<NativeConnection> {
  return NativeConnection.connect({ address: cfg.temporal.address });
}

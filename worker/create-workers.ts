import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { temporalConnectionOptions } from '../client/temporal-client';
import type { Config } from '../core/config';

export type Activities = Record<string, (...args: never[]) => Promise<unknown>>;

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  /** `own`: this process's own CPU queue (ownQueueName), where an image's stages follow its pixels. */
  queues: { io: string; cpu: string; own: string };
  activities: Activities;
  concurrency: { io: number; cpu: number };
  /** Precompiled workflow bundle (tests) or the workflows module path (production). */
  workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;
  /** The payload codec and failure converter (client/temporal-client.ts workerDataConverter). */
  dataConverter: DataConverter;
}

/** A task queue only this process polls: `<cpu queue>@<host>-<pid>-<random>`. */
export function ownQueueName(cpuQueue: string): string {
  return `${cpuQueue}@${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/**
 * Three workers in one process: `io` runs workflows and light activities; `cpu`, shared by every
 * CPU worker, takes each image's first CPU stage (and any whose worker is gone); `own` takes the
 * image's other CPU stages, whose pixels this process's engine holds. The engine itself bounds
 * how many model calls run at once, so `own` may hold more activities than it runs.
 */
export async function createWorkers(s: WorkerSetup): Promise<Worker[]> {
  const io = await Worker.create({
    connection: s.connection,
    namespace: s.namespace,
    dataConverter: s.dataConverter,
    taskQueue: s.queues.io,
    ...s.workflows,
    activities: s.activities,
    maxConcurrentActivityTaskExecutions: s.concurrency.io,
  });
  const cpu = await Worker.create({
    connection: s.connection,
    namespace: s.namespace,
    dataConverter: s.dataConverter,
    taskQueue: s.queues.cpu,
    activities: s.activities,
    maxConcurrentActivityTaskExecutions: s.concurrency.cpu,
  });
  const own = await Worker.create({
    connection: s.connection,
    namespace: s.namespace,
    dataConverter: s.dataConverter,
    taskQueue: s.queues.own,
    activities: s.activities,
    // Taken at once: they wait for the engine inside this process (heartbeating), so the queue's
    // schedule-to-start timeout measures only whether this process is alive.
    maxConcurrentActivityTaskExecutions: 64,
  });
  return [io, cpu, own];
}

export function connectWorker(cfg: Config): Promise<NativeConnection> {
  return NativeConnection.connect(temporalConnectionOptions(cfg.temporal));
}

import { hostname } from 'node:os';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { temporal } from '@temporalio/proto';
import { temporalConnectionOptions } from '../core/temporal-connection';
import type { Config } from '../core/config';

/** True when a MongoDB-protocol server answers ping at the URI. */
export async function mongoAnswers(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** True when a Temporal frontend answers (through its gate, with our certificate) and the namespace exists. */
export async function temporalAnswers(t: Config['temporal']): Promise<boolean> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ ...temporalConnectionOptions(t), connectTimeout: 1000 });
    await conn.workflowService.describeNamespace({ namespace: t.namespace });
    return true;
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => undefined);
  }
}

/**
 * True when every queue has a poller seen since `since`: a worker is really serving it. Pollers
 * of the processes `ignorePids` (on this host) do not count: Temporal lists a worker's pollers for
 * minutes after it died, and a dead worker serves nothing.
 */
export async function queuesPolled(t: Config['temporal'], queues: string[], since: Date, ignorePids: number[] = []): Promise<boolean> {
  const namespace = t.namespace;
  // The SDK's default worker identity is `${pid}@${hostname}`.
  const ignored = new Set(ignorePids.map((pid) => `${pid}@${hostname()}`));
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ ...temporalConnectionOptions(t), connectTimeout: 1000 });
    for (const name of queues) {
      const res = await conn.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      const fresh = (res.pollers ?? []).some((p) => {
        if (ignored.has(p.identity ?? '')) return false;
        const t = p.lastAccessTime;
        const ms = t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
        return ms >= since.getTime() - 1000;
      });
      if (!fresh) return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => undefined);
  }
}

/** True when the API's health endpoint answers 200. */
export async function httpAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

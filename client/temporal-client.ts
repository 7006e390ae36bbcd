import { Client, Connection } from '@temporalio/client';
import type { Config } from '../core/config';

/** The one way this project reaches Temporal from outside a worker (CLI, API). */
export async function connectClient(cfg: Config): Promise<Client> {
  const connection = await Connection.connect({ address: cfg.temporal.address, connectTimeout: 5000 });
  return new Client({ connection, namespace: cfg.temporal.namespace });
}

export function imageWorkflowId(sha256: string): string {
  return `image-${sha256}`;
}

import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { connectClient } from '../client/temporal-client';
import type { BatchInput } from '../core/batch';
import { loadConfig } from '../core/config';
import type { Store } from '../store';
import { openTestStore, sha } from './support/store';

// The runs API names batch runs only. Workflows are started on a task queue no worker polls:
// they stay running, can be described and signalled, and nothing of theirs ever executes.

let store: Store;
let client: Client;
let server: Server;
let base: string;
let analyst = '';
const queue = `nowhere-${randomUUID()}`;
const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..+/, '');
const batchId = `run-${stamp()}-${randomUUID().slice(0, 4)}`;
/** Shaped like a run id, but an image workflow: the type check must refuse it. */
const impostorId = `run-20991231T235959-${randomUUID().slice(0, 4)}`;
const imageId = `image-${sha(4242)}`;

beforeAll(async () => {
  ({ store } = await openTestStore('runs'));
  client = await connectClient(loadConfig());
  const input: BatchInput = { runId: batchId, source: { kind: 'folder', path: '/nonexistent' }, concurrency: 1, pageSize: 10 };
  await client.workflow.start('processBatch', { workflowId: batchId, taskQueue: queue, args: [input] });
  for (const id of [impostorId, imageId]) await client.workflow.start('processImage', { workflowId: id, taskQueue: queue, args: [{ path: '/nonexistent', sha256: sha(4242) }] });
  analyst = await store.tokens.create('runs-analyst', 'analyst');
  server = createApp(store, { temporal: { client, taskQueue: queue } }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  for (const id of [batchId, impostorId, imageId]) await client?.workflow.getHandle(id).terminate('test over').catch(() => undefined);
  await client?.connection.close();
  await store?.close();
});

const call = async (path: string, method = 'GET') => {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${analyst}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const signalsOf = async (id: string) => {
  const history = await client.workflow.getHandle(id).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).map((e) => e.workflowExecutionSignaledEventAttributes!.signalName);
};

describe('runs API', () => {
  it('when a batch run is viewed and paused, then both answer and both are audited', async () => {
    const view = await call(`/api/runs/${batchId}`);
    expect(view).toMatchObject({ status: 200, body: { runId: batchId, status: 'RUNNING' } });
    expect((await store.audit.recent(1))[0]).toMatchObject({ actor: 'runs-analyst (analyst)', action: 'view-run', target: batchId });
    expect(await call(`/api/runs/${batchId}/pause`, 'POST')).toMatchObject({ status: 200, body: { runId: batchId, signalled: 'pause' } });
    expect((await store.audit.recent(1))[0]).toMatchObject({ action: 'run-pause', target: batchId });
    expect(await signalsOf(batchId)).toEqual(['pause']);
  });

  it('when the id names an image workflow, or a run-shaped id names one, then it is 404 and the workflow gets no signal', async () => {
    for (const id of [imageId, impostorId]) {
      expect((await call(`/api/runs/${id}`)).status, id).toBe(404);
      expect((await call(`/api/runs/${id}/cancel`, 'POST')).status, id).toBe(404);
      expect(await signalsOf(id), id).toEqual([]);
    }
    expect((await store.audit.recent(1))[0]).not.toMatchObject({ target: impostorId });
  });

  it('when a run id names no workflow at all, then it is 404', async () => {
    expect((await call('/api/runs/run-20000101T000000-none')).status).toBe(404);
    expect((await call('/api/runs/run-20000101T000000-none/resume', 'POST')).status).toBe(404);
  });
});

import { randomUUID } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { connectClient } from '../client/temporal-client';
import { loadConfig } from '../core/config';
import type { Store } from '../store';
import { importSource } from '../usecases/import-source';
import { tempDir } from './support/fixtures';
import { openTestStore } from './support/store';

// Issue 20, item 4: POST /api/runs stays inside CLUES_IMPORT_ROOT when links point out of it.
// Runs are started on a task queue no worker polls, and terminated at the end.

let store: Store;
let client: Client;
let server: Server;
let base: string;
let analyst = '';
const queue = `nowhere-${randomUUID()}`;
const started: string[] = [];
const root = tempDir('import-root');
const outside = tempDir('import-outside');

beforeAll(async () => {
  mkdirSync(join(root, 'case-1', 'photos'), { recursive: true });
  writeFileSync(join(root, 'case-1', 'photos', 'a.jpg'), 'not really');
  writeFileSync(join(root, 'case-1', 'list.txt'), 'photos/a.jpg\n');
  writeFileSync(join(outside, 'list.txt'), '/etc/passwd\n');
  symlinkSync(outside, join(root, 'folder-link')); // a folder link that leaves the root
  symlinkSync(join(outside, 'list.txt'), join(root, 'manifest-link.txt')); // a file link that leaves it
  symlinkSync('/', join(root, 'slash')); // a link to /
  symlinkSync(join(root, 'case-1'), join(root, 'inner-link')); // a link that stays inside
  ({ store } = await openTestStore('importroot'));
  client = await connectClient(loadConfig());
  analyst = await store.tokens.create(`import-analyst-${randomUUID().slice(0, 8)}`, 'analyst');
  server = createApp(store, { temporal: { client, taskQueue: queue }, importRoot: root }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  for (const id of started) await client?.workflow.getHandle(id).terminate('test over').catch(() => undefined);
  await client?.connection.close();
  await store?.close();
});

const start = async (source: string) => {
  const res = await fetch(`${base}/api/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${analyst}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source }),
  });
  const body = (await res.json()) as { runId?: string; error?: string };
  if (body.runId) started.push(body.runId);
  return { status: res.status, body };
};

describe('the import root under links', () => {
  it('when the source is a folder link, a manifest link or a link to /, leading out of the root, then the run is refused (400) and none starts', async () => {
    for (const source of ['folder-link', 'manifest-link.txt', 'slash', 'slash/etc', 'folder-link/list.txt']) {
      const res = await start(source);
      expect(res.status, source).toBe(400);
      expect(res.body.runId, source).toBeUndefined();
    }
    expect(started).toEqual([]);
  });

  it('when the source is named with .. or absolutely, then it is refused by name', async () => {
    for (const source of ['../x', 'case-1/../../x', '/etc', outside]) expect((await start(source)).status, source).toBe(400);
  });

  it('when the source is a real folder, a manifest, or a link that stays inside, then the run starts on its real path', async () => {
    for (const source of ['case-1/photos', 'case-1/list.txt', 'inner-link']) expect((await start(source)).status, source).toBe(201);
    expect(started).toHaveLength(3);
    expect(await importSource(root, 'inner-link')).toBe(join(root, 'case-1'));
  });

  it('when the source does not exist or is a dangling link, then it is 404', async () => {
    symlinkSync(join(outside, 'gone'), join(root, 'dangling'));
    expect((await start('nothing-here')).status).toBe(404);
    expect((await start('dangling')).status).toBe(404);
  });
});

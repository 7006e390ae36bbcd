import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { authFailures } from '../api/auth';
import { AUTH_FAILURE_DEFAULTS, AuthFailures } from '../api/auth-failures';
import { ConfigError, loadConfig } from '../core/config';
import type { Store } from '../store';
import { openTestStore } from './support/store';

// Issue 20, item 5: wrong tokens are throttled per address with an exponential lock, and their
// audit records are aggregated: one per address and minute, with a count.

let store: Store;
let server: Server;
let base: string;
let analyst = '';
const wrong = () => `clu_${'y'.repeat(43)}`;

beforeAll(async () => {
  ({ store } = await openTestStore('throttle'));
  analyst = await store.tokens.create('throttle-analyst', 'analyst');
  server = createApp(store).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await store?.close();
});

const get = async (token: string | null) => {
  const res = await fetch(`${base}/api/search?text=x`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
};

describe('failed authentication', () => {
  it('when an address keeps sending wrong tokens, then after five it is locked (429, Retry-After) while a valid token still passes; the lock doubles with each failure made after waiting', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_FAILURE_DEFAULTS.free; i++) statuses.push((await get(wrong())).status);
    expect(statuses).toEqual(Array(AUTH_FAILURE_DEFAULTS.free).fill(401));
    const sixth = await get(wrong()); // the first failure over the allowance sets a 1 s lock
    expect(sixth).toEqual({ status: 401, retryAfter: '1' });
    expect(await get(wrong())).toEqual({ status: 429, retryAfter: '1' });
    expect((await get(analyst)).status).toBe(200);
    expect((await get(null)).status).toBe(401); // no token: no attempt at guessing, never locked
    await sleep(1100);
    expect(await get(wrong())).toEqual({ status: 401, retryAfter: '2' }); // waited, failed again: 2 s
    expect((await get(wrong())).status).toBe(429);
  });

  it('when many wrong tokens arrive, then the audit holds one record per address and minute, with their count', async () => {
    const before = Date.now();
    const results = await Promise.all(Array.from({ length: 200 }, () => get(wrong())));
    expect(results.every((r) => r.status === 429 || r.status === 401)).toBe(true);
    await authFailures(store).flush();
    const denied = (await store.audit.recent(1000)).filter((e) => e.action === 'denied');
    const minutes = new Set(denied.map((e) => (e.detail as { minute: string }).minute));
    expect(denied.length).toBe(minutes.size); // one record per minute from this one address
    expect(denied.length).toBeLessThanOrEqual(Math.ceil((Date.now() - before) / 60_000) + 2);
    const counted = denied.reduce((n, e) => n + (e.detail as { count: number }).count, 0);
    expect(counted).toBe(AUTH_FAILURE_DEFAULTS.free + 1 + 1 + 1 + 2 + 200); // every failure of this file
  });

  it('when failures come after each lock, then the lock grows 1, 2, 4, 8 s ... up to 15 minutes, and is forgotten after 15 quiet minutes', async () => {
    const f = new AuthFailures(store.audit, { ...AUTH_FAILURE_DEFAULTS, flushMs: 60_000 });
    try {
      let now = Date.parse('2030-01-01T00:00:00Z');
      for (let i = 0; i < 5; i++) expect(await f.fail('10.0.0.9', '/x', 'unknown or revoked token', now)).toBe(0);
      const locks: number[] = [];
      for (let i = 0; i < 14; i++) {
        const lock = await f.fail('10.0.0.9', '/x', 'unknown or revoked token', now);
        locks.push(lock);
        expect(await f.fail('10.0.0.9', '/x', 'unknown or revoked token', now + 1)).toBe(lock - 1); // locked: no longer
        now += lock;
      }
      expect(locks.slice(0, 5)).toEqual([1000, 2000, 4000, 8000, 16000]);
      expect(Math.max(...locks)).toBe(15 * 60_000);
      now += 15 * 60_000 + 1;
      expect(await f.fail('10.0.0.9', '/x', 'unknown or revoked token', now)).toBe(0);
      expect(await f.fail('10.0.0.10', '/x', 'unknown or revoked token', now)).toBe(0); // another address is apart
    } finally {
      f.close();
    }
  });
});

describe('CLUES_TRUST_PROXY', () => {
  it('when it is set, then the address behind the proxy is the one throttled and audited; unset, X-Forwarded-For is ignored', async () => {
    const { store: s } = await openTestStore('trustproxy');
    const serve = async (trustProxy?: string) => {
      const srv = createApp(s, trustProxy ? { trustProxy } : {}).listen(0, '127.0.0.1');
      await new Promise((r) => srv.once('listening', r));
      return srv;
    };
    try {
      for (const [trust, from] of [['loopback', '203.0.113.7'], [undefined, '127.0.0.1']] as const) {
        const srv = await serve(trust);
        await fetch(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/api/search?text=x`, { headers: { authorization: `Bearer ${wrong()}`, 'x-forwarded-for': '203.0.113.7' } });
        srv.close();
        await authFailures(s).flush();
        expect((await s.audit.recent(1))[0], String(trust)).toMatchObject({ action: 'denied', from });
      }
    } finally {
      await s.close();
    }
  });

  it('when it is read from the environment, then hops and lists are taken and anything else is refused at start-up', () => {
    expect(loadConfig({ CLUES_TRUST_PROXY: '1' }).api.trustProxy).toBe(1);
    expect(loadConfig({ CLUES_TRUST_PROXY: 'loopback, 10.0.0.0/8' }).api.trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(loadConfig({}).api.trustProxy).toBeUndefined();
    for (const bad of ['true', 'everyone', '1; rm']) expect(() => loadConfig({ CLUES_TRUST_PROXY: bad }), bad).toThrow(ConfigError);
  });
});

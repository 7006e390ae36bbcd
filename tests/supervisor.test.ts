import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config';
import type { PidFile, StartOutcome } from '../services/daemon';
import { Supervisor, SUPERVISOR_DEFAULTS, type Supervised } from '../services/supervisor';
import { tempDir } from './support/fixtures';

// Issue 20, item 6: the supervisor's rule, on pid files as `clues up` and `down` leave them (a
// dead pid that no process holds). tests/services-up.test.ts kills a real worker and watches the
// real supervisor bring it back, audited and counted.

const DEAD = 2 ** 22 + 12345; // above any pid this machine hands out

function folder() {
  const cfg = loadConfig({ ...process.env, CLUES_DATA_DIR: tempDir('supervisor') });
  mkdirSync(cfg.paths.run, { recursive: true });
  const write = (name: string, pf: PidFile) => writeFileSync(join(cfg.paths.run, `${name}.pid`), JSON.stringify(pf));
  return { cfg, write };
}

describe('the supervisor', () => {
  it('when a service died, then it is started after 1 s, and after 2, 4, 8 s while starting fails; up to 5 minutes', async () => {
    const { cfg, write } = folder();
    write('worker', { pid: DEAD, startedAt: '2030-01-01T00:00:00Z', command: process.execPath });
    let fail = 12;
    const calls: number[] = [];
    let now = 1_000_000;
    const sup = new Supervisor(cfg, ['worker'], async () => {
      calls.push(now);
      if (fail-- > 0) throw new Error('port in use');
      return 'restarted' as StartOutcome;
    });
    const seen = [];
    for (let i = 0; i < 20_000 && calls.length < 13; i++) {
      seen.push(...(await sup.tick(now)));
      now += 250;
    }
    const gaps = calls.slice(1).map((t, i) => t - calls[i]!);
    expect(calls[0]! - 1_000_000).toBe(1000);
    expect(gaps.slice(0, 4)).toEqual([2000, 4000, 8000, 16000]);
    expect(Math.max(...gaps)).toBe(SUPERVISOR_DEFAULTS.maxDelayMs);
    expect(seen.filter((r) => r.outcome === 'failed')).toHaveLength(12);
    expect(seen.at(-1)).toMatchObject({ name: 'worker', pid: DEAD, outcome: 'restarted', attempt: 13 });
  });

  it('when a service was stopped on purpose, never started here, or runs, then it is left alone', async () => {
    const { cfg, write } = folder();
    write('worker', { pid: DEAD, startedAt: '2030-01-01T00:00:00Z', command: process.execPath, stoppedAt: '2030-01-01T01:00:00Z' });
    const self = readFileSync('/proc/self/cmdline', 'utf8').split('\0')[0]!; // this process, alive
    write('database', { pid: process.pid, startedAt: '2030-01-01T00:00:00Z', command: self });
    const started: Supervised[] = [];
    const sup = new Supervisor(cfg, ['database', 'temporal', 'worker', 'api'], async (name) => (started.push(name), 'restarted'));
    for (let t = 0; t < 60_000; t += 500) await sup.tick(t);
    expect(started).toEqual([]);
  });

  it('when a service that came back dies again soon, then the delay keeps doubling; after 10 minutes up, it starts again from 1 s', async () => {
    const { cfg, write } = folder();
    const died = () => write('api', { pid: DEAD, startedAt: '2030-01-01T00:00:00Z', command: process.execPath });
    const sup = new Supervisor(cfg, ['api'], async () => 'restarted');
    died();
    expect(await sup.tick(0)).toEqual([]);
    expect((await sup.tick(1000))[0]).toMatchObject({ attempt: 1, delayMs: 1000 });
    died(); // again soon after (its pid file says it died)
    expect(await sup.tick(5000)).toEqual([]);
    expect((await sup.tick(7000))[0]).toMatchObject({ attempt: 2, delayMs: 2000 });
    died();
    const later = 7000 + SUPERVISOR_DEFAULTS.stableMs + 1;
    expect(await sup.tick(later)).toEqual([]);
    expect((await sup.tick(later + 1000))[0]).toMatchObject({ attempt: 1, delayMs: 1000 });
  });
});

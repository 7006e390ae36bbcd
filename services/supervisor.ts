import type { Config } from '../core/config';
import type { StartOutcome } from './daemon';
import { pidRecord } from './daemon';

// The supervisor that `clues up` leaves running (cli/supervisor-main.ts): it watches this
// data folder's services and starts again any that died without `clues down` stopping it, with
// an exponential backoff (1 s doubling to 5 minutes; a service that stayed up 10 minutes starts
// again from 1 s). Each restart is recorded in the audit and counted in the service's pid file,
// which `clues status` shows.

export const SUPERVISED = ['database', 'temporal', 'worker', 'api'] as const;
export type Supervised = (typeof SUPERVISED)[number];

export interface SupervisorOptions {
  firstDelayMs: number;
  maxDelayMs: number;
  /** Up this long: the next crash is a new story, and the delay starts again from the first. */
  stableMs: number;
}

export const SUPERVISOR_DEFAULTS: SupervisorOptions = { firstDelayMs: 1000, maxDelayMs: 5 * 60_000, stableMs: 10 * 60_000 };

export interface RestartRecord {
  name: Supervised;
  /** The process that died. */
  pid: number;
  /** Its replacement, when the start succeeded. */
  newPid?: number;
  attempt: number;
  delayMs: number;
  outcome: StartOutcome | 'failed';
  error?: string;
}

interface Pending {
  attempt: number;
  /** When the next start may be tried. */
  at: number;
  deadPid: number;
}

/**
 * One pass over the services: which died, which are due for a start, and the outcome of each.
 * `start` starts one service (services/embedded.ts); `now` is injectable for tests.
 */
export class Supervisor {
  private readonly pending = new Map<Supervised, Pending>();
  /** When each service last came back, to know whether it then stayed up. */
  private readonly cameBack = new Map<Supervised, { at: number; attempt: number }>();

  constructor(
    private readonly cfg: Config,
    private readonly names: readonly Supervised[],
    private readonly start: (name: Supervised) => Promise<StartOutcome>,
    private readonly opts: SupervisorOptions = SUPERVISOR_DEFAULTS,
  ) {}

  delayFor(attempt: number): number {
    return Math.min(this.opts.maxDelayMs, this.opts.firstDelayMs * 2 ** Math.min(attempt - 1, 30));
  }

  async tick(now = Date.now()): Promise<RestartRecord[]> {
    const done: RestartRecord[] = [];
    for (const name of this.names) {
      const r = pidRecord(this.cfg.paths, name);
      let p = this.pending.get(name);
      if (!p) {
        // Stopped on purpose (`down`) or running: nothing to do. Never started here: not ours.
        if (!r || r.running || r.pf.stoppedAt || r.pf.pid <= 0) continue;
        const back = this.cameBack.get(name);
        const attempt = back && now - back.at < this.opts.stableMs ? back.attempt + 1 : 1;
        p = { attempt, at: now + this.delayFor(attempt), deadPid: r.pf.pid };
        this.pending.set(name, p);
      }
      if (now < p.at) continue;
      const delayMs = this.delayFor(p.attempt);
      try {
        const outcome = await this.start(name);
        this.pending.delete(name);
        this.cameBack.set(name, { at: now, attempt: p.attempt });
        const newPid = pidRecord(this.cfg.paths, name)?.pf.pid;
        done.push({ name, pid: p.deadPid, ...(newPid ? { newPid } : {}), attempt: p.attempt, delayMs, outcome });
      } catch (err) {
        p.attempt += 1;
        p.at = now + this.delayFor(p.attempt);
        done.push({ name, pid: p.deadPid, attempt: p.attempt - 1, delayMs, outcome: 'failed', error: (err as Error).message.slice(0, 500) });
      }
    }
    return done;
  }
}

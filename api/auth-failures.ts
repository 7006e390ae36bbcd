import type { AuditRepository } from '../store/audit';
import { logger } from '../core/log';

const log = logger('api');

// Failed authentication, per address: throttled with an exponential lock, and audited in
// aggregate (one record per address and minute, with a count). A stream of wrong tokens used to
// cost one audit insert each (270 a second); now it costs one insert per address and minute and
// one count update every few seconds. Counted in this process's memory: with several API
// processes each keeps its own lock, which still doubles with every failure.

export interface AuthFailureOptions {
  /** Failures an address may make before it is locked. */
  free: number;
  /** The first lock; each further failure doubles it, up to `maxLockMs`. */
  baseLockMs: number;
  maxLockMs: number;
  /** An address with no failure for this long starts afresh. */
  forgetMs: number;
  /** How often pending counts are written to the audit. */
  flushMs: number;
}

export const AUTH_FAILURE_DEFAULTS: AuthFailureOptions = { free: 5, baseLockMs: 1000, maxLockMs: 15 * 60_000, forgetMs: 15 * 60_000, flushMs: 2000 };
/** Addresses remembered at most: the oldest is forgotten first. */
const MAX_ADDRESSES = 10_000;

interface AddressState {
  failures: number;
  lockedUntil: number;
  lastAt: number;
}

export class AuthFailures {
  private readonly byAddress = new Map<string, AddressState>();
  /** Counts not yet written, per aggregated audit record id, and the record's creation. */
  private readonly pending = new Map<string, { n: number; created: Promise<void> }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly audit: AuditRepository,
    private readonly opts: AuthFailureOptions = AUTH_FAILURE_DEFAULTS,
  ) {
    this.timer = setInterval(() => void this.flush(), opts.flushMs);
    this.timer.unref();
  }

  /** Milliseconds the address must still wait, 0 when it is not locked. */
  lockedFor(address: string, now = Date.now()): number {
    const s = this.byAddress.get(address);
    return s && s.lockedUntil > now ? s.lockedUntil - now : 0;
  }

  /**
   * Records a failed authentication and returns how long the address is now locked (0 while it
   * has failures to spare). A failure while locked is counted in the audit but does not lengthen
   * the lock: the wait doubles with each failure made after waiting. A request without a token is
   * no attempt at guessing one (a page asking before sign-in): it is counted, never locked.
   */
  async fail(address: string, target: string, reason: 'no token' | 'unknown or revoked token', now = Date.now()): Promise<number> {
    await this.count(address, target, reason, now);
    if (reason === 'no token') return this.lockedFor(address, now);
    let s = this.byAddress.get(address);
    if (s && now - s.lastAt > this.opts.forgetMs) s = undefined;
    s ??= { failures: 0, lockedUntil: 0, lastAt: now };
    if (s.lockedUntil <= now) {
      s.failures += 1;
      const over = s.failures - this.opts.free;
      if (over > 0) s.lockedUntil = now + Math.min(this.opts.maxLockMs, this.opts.baseLockMs * 2 ** Math.min(over - 1, 30));
    }
    s.lastAt = now;
    this.byAddress.delete(address); // re-inserted: the map's order is the order of last failure
    this.byAddress.set(address, s);
    if (this.byAddress.size > MAX_ADDRESSES) this.byAddress.delete(this.byAddress.keys().next().value!);
    return this.lockedFor(address, now);
  }

  /** The first failure of an address in a minute is written at once; later ones are added in batches. */
  private async count(address: string, target: string, reason: string, now: number): Promise<void> {
    const minute = new Date(now - (now % 60_000));
    const id = `denied|${address}|${minute.toISOString()}`;
    const known = this.pending.get(id);
    if (known) {
      known.n += 1;
      return;
    }
    const created = this.audit.countDenied(id, { actor: 'anonymous', action: 'denied', target, from: address, detail: { reason, minute: minute.toISOString() } }, new Date(now), 1);
    this.pending.set(id, { n: 0, created: created.catch(() => undefined) });
    await created;
  }

  /** Writes the pending counts (also called by tests and at shutdown). */
  async flush(): Promise<void> {
    const now = Date.now();
    for (const [id, p] of [...this.pending]) {
      await p.created; // counted on the record once it exists
      const minuteEnded = Date.parse(id.slice(id.lastIndexOf('|') + 1)) + 60_000 <= now;
      const n = p.n;
      if (n > 0) {
        p.n -= n;
        await this.audit.countDenied(id, null, null, n).catch((err: unknown) => log.warn({ err }, 'failed authentications not counted'));
      }
      if (minuteEnded && p.n === 0) this.pending.delete(id);
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}

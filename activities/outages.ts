import { ApplicationFailure, Context } from '@temporalio/activity';
import { MongoNetworkError, MongoNotConnectedError, MongoServerSelectionError, MongoTopologyClosedError, MongoError } from 'mongodb';

// A database that is down for minutes (a restart, a failover, a full disk being mended) must be
// waited out, not turned into lost clues. Activity policies allow many attempts with backoff
// (workflows/policies.ts), enough for a 10-minute outage; this wrapper keeps that patience for
// outages alone: any other error is final after MAX_ATTEMPTS_UNLESS_OUTAGE attempts, as before.

/**
 * Attempts for an error that is not an outage (a bug, a bad input the code did not foresee): as
 * many as the policies allowed before outages were waited out, 3 for model stages on the CPU
 * queues (`<queue>-cpu`, and each worker's own `<queue>-cpu@…`), 5 for the rest.
 */
export const MAX_ATTEMPTS_UNLESS_OUTAGE = 5;
export const MAX_CPU_ATTEMPTS_UNLESS_OUTAGE = 3;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The error means a service did not answer (for now), not that the work is wrong. */
export function isOutage(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof MongoNetworkError || e instanceof MongoServerSelectionError || e instanceof MongoNotConnectedError || e instanceof MongoTopologyClosedError) return true;
    if (e instanceof MongoError && (e.hasErrorLabel('TransientTransactionError') || e.hasErrorLabel('RetryableWriteError'))) return true;
    if (NETWORK_CODES.has((e as NodeJS.ErrnoException).code ?? '')) return true;
  }
  return false;
}

/** `fn` as an activity that rides out outages and gives up on anything else after a few attempts. */
export function outageAware<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      if (isOutage(err) || (err instanceof ApplicationFailure && err.nonRetryable)) throw err;
      let attempt = 1;
      let limit = MAX_ATTEMPTS_UNLESS_OUTAGE;
      try {
        const { info } = Context.current();
        attempt = info.attempt;
        if (/-cpu(@|$)/.test(info.taskQueue)) limit = MAX_CPU_ATTEMPTS_UNLESS_OUTAGE;
      } catch {
        /* called outside an activity (runStages calls stages directly; tests call them too) */
      }
      if (attempt < limit) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw ApplicationFailure.create({ message, type: err instanceof Error ? err.name : 'Error', nonRetryable: true, cause: err instanceof Error ? err : undefined });
    }
  };
}

/** Every activity of a worker, outage-aware. */
export function withOutageRetries<T extends Record<string, (...args: never[]) => Promise<unknown>>>(acts: T): T {
  return Object.fromEntries(Object.entries(acts).map(([name, fn]) => [name, outageAware(fn as (...args: unknown[]) => Promise<unknown>)])) as unknown as T;
}

import { ApplicationFailure, TimeoutFailure } from '@temporalio/common';

// Temporal wraps a failure in layers (workflow failed → activity failed → the application's
// error). One reader of that chain for the workflows, the client and the CLI. Imports only
// @temporalio/common: workflows import this file.

/**
 * The innermost readable reason: the application's own message where there is one, otherwise
 * the deepest cause (a timeout, a cancellation).
 * @example failureReason(err) // 'cannot decode image: ...'
 */
export function failureReason(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error && !(e instanceof ApplicationFailure)) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/** The application failure inside the chain, if any (its `type` says what kind of failure it was). */
export function applicationFailure(err: unknown): ApplicationFailure | undefined {
  let e: unknown = err;
  while (e instanceof Error && !(e instanceof ApplicationFailure) && e.cause) e = e.cause;
  return e instanceof ApplicationFailure ? e : undefined;
}

/** True when an activity was never picked up in time: the worker of its queue is gone. */
export function neverStarted(err: unknown): boolean {
  let e: unknown = err;
  while (e instanceof Error && !(e instanceof TimeoutFailure) && e.cause) e = e.cause;
  return e instanceof TimeoutFailure && e.timeoutType === 'SCHEDULE_TO_START';
}

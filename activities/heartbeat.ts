import { Context } from '@temporalio/activity';

/**
 * Heartbeats while a long model call runs (inference runs off the event loop), so a worker
 * killed mid-image is noticed within the heartbeat timeout rather than the 10-minute limit.
 */
export async function withHeartbeat<T>(run: () => Promise<T>, everyMs = 5000): Promise<T> {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    return run(); // called outside an activity (benchmarks)
  }
  ctx.heartbeat();
  const timer = setInterval(() => ctx?.heartbeat(), everyMs);
  try {
    return await run();
  } finally {
    clearInterval(timer);
  }
}

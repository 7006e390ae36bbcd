import { loadConfig } from '../core/config';
import { logger } from '../core/log';
import { toWire } from './engine-errors';
import { isEngineOp } from './image-engine';
import type { EngineReply, EngineRequest } from './engine-protocol';
import { LocalEngine } from './local-engine';

// The engine process: every decoder and model, behind a message channel to the worker that
// started it. If a hostile file crashes it, only this process dies; the worker restarts it.

function send(msg: EngineReply): void {
  process.send?.(msg);
}

/**
 * Fault injection for the crash-isolation tests, never set in production: `<op>:<text>` aborts
 * this process (SIGABRT, as a native crash would) when that operation is asked of a path
 * containing the text.
 */
function faultInjected(req: EngineRequest): boolean {
  const fault = process.env.CLUES_ENGINE_FAULT;
  if (!fault) return false;
  const [op, text] = [fault.slice(0, fault.indexOf(':')), fault.slice(fault.indexOf(':') + 1)];
  const src = req.args[0] as { path?: string } | undefined;
  return req.op === op && text !== '' && typeof src?.path === 'string' && src.path.includes(text);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('the engine process is started by a worker (child_process.fork), not by hand');
  const engine = await LocalEngine.create(loadConfig());
  // The worker went away (killed, crashed): nothing is left to answer to.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (req: EngineRequest) => {
    if (!isEngineOp(req.op)) {
      send({ id: req.id, ok: false, error: { name: 'Error', message: `unknown engine operation ${String(req.op)}` } });
      return;
    }
    if (faultInjected(req)) process.abort();
    const op = engine[req.op] as (...args: unknown[]) => Promise<unknown>;
    op.apply(engine, req.args).then(
      (value) => send({ id: req.id, ok: true, value }),
      (err: unknown) => send({ id: req.id, ok: false, error: toWire(err) }),
    );
  });
  send({ ready: engine.models });
}

main().catch((err: unknown) => {
  logger('engine').fatal({ err }, 'could not start');
  process.exit(1);
});

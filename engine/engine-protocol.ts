import type { WireError } from './engine-errors';
import type { EngineModels, EngineOp } from './image-engine';

/** Worker to engine process. */
export interface EngineRequest {
  id: number;
  op: EngineOp;
  args: unknown[];
}

/** Engine process to worker: `ready` once the models are loaded, then one reply per request. */
export type EngineReply = { ready: EngineModels } | { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

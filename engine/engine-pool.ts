import type { EngineProcess } from './engine-process';
import { ENGINE_OPS, passThrough, type EngineModels, type EngineOp, type EngineOps, type ImageEngine, type ImageInput } from './image-engine';
import type { FeatureMatch } from '../models/local-features';

/** Images remembered with the engine that decoded them (an LRU of SHA-256s, a few hours of work). */
const AFFINITY_ENTRIES = 4096;

/** Which models an engine process holds: all of them, or the OCR engines, or the others. */
export type EngineRole = 'all' | 'text' | 'vision';
type Kind = 'text' | 'vision';

/**
 * Several engine processes behind one ImageEngine. Models run on an engine's main thread
 * (onnxruntime-node and tfjs-wasm calls block it), so one process uses one core: a worker on two
 * cores needs two to keep both busy. Engines may split the models (`text` and `vision` roles), so
 * that two processes hold one set of models between them, not two. An image's first call of a
 * kind goes to the least busy engine serving it, and its later calls to the same one, which holds
 * its decoded pixels (an image is decoded once by each role).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class EnginePool implements ImageEngine {
  private readonly affinity = new Map<string, EngineProcess>();
  private readonly serving: Record<Kind, EngineProcess[]>;

  constructor(private readonly engines: EngineProcess[], roles: EngineRole[] = engines.map(() => 'all')) {
    if (engines.length === 0) throw new Error('an engine pool needs at least one engine');
    const of = (kind: Kind) => engines.filter((_, i) => roles[i] === 'all' || roles[i] === kind);
    this.serving = { text: of('text'), vision: of('vision') };
    if (!this.serving.text.length || !this.serving.vision.length) throw new Error(`engine roles ${roles.join(', ')} leave a kind of model unserved`);
  }

  get models(): EngineModels {
    return { ...this.serving.vision[0]!.models, text: this.serving.text[0]!.models.text };
  }

  /** Engine process ids (tests kill one to prove a restart). */
  get pids(): (number | undefined)[] {
    return this.engines.map((e) => e.pid);
  }

  get restarts(): number {
    return this.engines.reduce((n, e) => n + e.restarts, 0);
  }

  private leastBusy(kind: Kind = 'vision'): EngineProcess {
    return this.serving[kind].reduce((a, b) => (b.load < a.load ? b : a));
  }

  private for(src: ImageInput, kind: Kind = 'vision'): EngineProcess {
    if (!src.sha256) return this.leastBusy(kind);
    const key = `${kind}|${src.sha256}`;
    let engine = this.affinity.get(key);
    if (engine) this.affinity.delete(key);
    else engine = this.leastBusy(kind);
    this.affinity.set(key, engine); // most recent last
    if (this.affinity.size > AFFINITY_ENTRIES) this.affinity.delete(this.affinity.keys().next().value!);
    return engine;
  }

  /** An operation: one that reads an image goes to the engine holding its pixels, others to the least busy. */
  route(op: EngineOp, args: unknown[]): Promise<unknown> {
    const { role, image } = ENGINE_OPS[op];
    const engine = image ? this.for(args[0] as ImageInput, role) : this.leastBusy(role);
    return (engine[op] as (...a: unknown[]) => Promise<unknown>)(...args);
  }

  /** A long list is split between the engines serving vision: a search's shortlist checked in parallel. */
  async match(query: Uint8Array, candidates: Uint8Array[]): Promise<FeatureMatch[]> {
    const engines = this.serving.vision;
    if (engines.length < 2 || candidates.length < 16) return this.leastBusy().match(query, candidates);
    const size = Math.ceil(candidates.length / engines.length);
    const parts = await Promise.all(engines.map((e, i) => (i * size < candidates.length ? e.match(query, candidates.slice(i * size, (i + 1) * size)) : Promise.resolve([]))));
    return parts.flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.engines.map((e) => e.close()));
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface EnginePool extends EngineOps {}
passThrough(EnginePool, (pool, op, args) => pool.route(op, args));

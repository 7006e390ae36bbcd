import type { ImageInfo } from '../core/clues';
import type { FeatureMatch } from '../models/local-features';
import type { PdqResult } from '../models/pdq';
import type { SceneLabel } from '../models/scene-classifier';
import type { EngineProcess } from './engine-process';
import type { DescribeResult, EngineModels, FacesResult, ImageEngine, ImageInput, ObjectsResult, QueryResult, TextResult } from './image-engine';

/** Images remembered with the engine that decoded them (an LRU of SHA-256s, a few hours of work). */
const AFFINITY_ENTRIES = 4096;

/**
 * Several engine processes behind one ImageEngine. Models run on an engine's main thread
 * (onnxruntime-node and tfjs-wasm calls block it), so one process uses one core: a worker on two
 * cores needs two to keep both busy. An image's first call goes to the least busy engine, and its
 * later calls to the same one, which holds its decoded pixels.
 */
export class EnginePool implements ImageEngine {
  private readonly affinity = new Map<string, EngineProcess>();

  constructor(private readonly engines: EngineProcess[]) {
    if (engines.length === 0) throw new Error('an engine pool needs at least one engine');
  }

  get models(): EngineModels {
    return this.engines[0]!.models;
  }

  /** Engine process ids (tests kill one to prove a restart). */
  get pids(): (number | undefined)[] {
    return this.engines.map((e) => e.pid);
  }

  get restarts(): number {
    return this.engines.reduce((n, e) => n + e.restarts, 0);
  }

  private leastBusy(): EngineProcess {
    return this.engines.reduce((a, b) => (b.load < a.load ? b : a));
  }

  private for(src: ImageInput): EngineProcess {
    const sha = src.sha256;
    if (!sha) return this.leastBusy();
    let engine = this.affinity.get(sha);
    if (engine) this.affinity.delete(sha);
    else engine = this.leastBusy();
    this.affinity.set(sha, engine); // most recent last
    if (this.affinity.size > AFFINITY_ENTRIES) this.affinity.delete(this.affinity.keys().next().value!);
    return engine;
  }

  probe(src: ImageInput): Promise<ImageInfo> {
    return this.for(src).probe(src);
  }
  pdq(src: ImageInput): Promise<PdqResult> {
    return this.for(src).pdq(src);
  }
  objects(src: ImageInput, cropPadding: number): Promise<ObjectsResult> {
    return this.for(src).objects(src, cropPadding);
  }
  text(src: ImageInput): Promise<TextResult> {
    return this.for(src).text(src);
  }
  describe(src: ImageInput): Promise<DescribeResult> {
    return this.for(src).describe(src);
  }
  scene(src: ImageInput, objects?: { label: string; score: number }[]): Promise<SceneLabel[]> {
    return this.for(src).scene(src, objects);
  }
  faces(src: ImageInput): Promise<FacesResult> {
    return this.for(src).faces(src);
  }
  query(src: ImageInput): Promise<QueryResult> {
    return this.for(src).query(src);
  }
  frames(src: ImageInput, pages: number[]): Promise<{ page: number; png: Uint8Array }[]> {
    return this.for(src).frames(src, pages);
  }
  match(query: Uint8Array, candidates: Uint8Array[]): Promise<FeatureMatch[]> {
    return this.leastBusy().match(query, candidates);
  }
  matchDense(query: Uint8Array, candidates: ImageInput[]): Promise<FeatureMatch[]> {
    return this.leastBusy().matchDense(query, candidates);
  }

  async close(): Promise<void> {
    await Promise.all(this.engines.map((e) => e.close()));
  }
}

import { fork, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImageInfo } from '../core/clues';
import { InvalidImageError, type InvalidImageCode } from '../models/image-loader';
import type { FeatureMatch } from '../models/local-features';
import type { PdqResult } from '../models/pdq';
import type { SceneLabel } from '../models/scene-classifier';
import { EngineFailure, type WireError } from './engine-errors';
import type { EngineReply, EngineRequest } from './engine-protocol';
import type { DescribeResult, EngineModels, EngineOp, FacesResult, ImageEngine, ImageInput, ObjectsResult, QueryResult, RegionBox, RegionsResult, TextResult } from './image-engine';

export interface EngineProcessOptions {
  /** The compiled engine entry point (dist/engine/host-main.js). */
  script: string;
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
  /** One call longer than this is taken for a hang: the engine is killed and restarted. */
  callTimeoutMs: number;
  /** Loading the models. */
  startTimeoutMs: number;
  /** Calls running in the engine at once (CPU-bound work: about one per core); the rest wait here. */
  maxConcurrent?: number;
  log?: (message: string) => void;
}

interface Call {
  id: number;
  op: EngineOp;
  args: unknown[];
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** It was in flight with others when the engine died: it runs again with nothing beside it. */
  solo: boolean;
  timer?: NodeJS.Timeout;
}

function fromWire(e: WireError): Error {
  if (e.name === 'InvalidImageError') return new InvalidImageError((e.code ?? 'undecodable') as InvalidImageCode, e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/**
 * The worker's side of the engine process. Calls run concurrently. When the process dies, a call
 * that was alone in it is answered with an EngineFailure (that image crashed it); calls that were
 * in flight together are run again one at a time in a fresh process, so that only the file that
 * crashes an engine alone is blamed, and the images beside it lose nothing.
 */
export class EngineProcess implements ImageEngine {
  models!: EngineModels;
  private child: ChildProcess | null = null;
  private ready = false;
  private readonly inFlight = new Map<number, Call>();
  private readonly waiting: Call[] = [];
  private nextId = 1;
  private closed = false;
  private starting: Promise<void> | null = null;
  private startFailures = 0;
  private lastStartError = '';
  /** The process was killed because a call hung: the calls beside it are not to blame. */
  private killedForHang = false;
  /** Engine processes started after the first: a figure for logs and tests. */
  restarts = 0;

  private constructor(private readonly opts: EngineProcessOptions) {}

  static async start(opts: EngineProcessOptions): Promise<EngineProcess> {
    const engine = new EngineProcess(opts);
    await engine.spawn();
    return engine;
  }

  /** Calls running or waiting: how busy this engine is. */
  get load(): number {
    return this.inFlight.size + this.waiting.length;
  }

  /** The engine's process id (tests kill it to prove a restart). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = fork(this.opts.script, [], {
        env: this.opts.env ?? process.env,
        execArgv: this.opts.execArgv ?? [],
        serialization: 'advanced', // Buffers and typed arrays cross without base64
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      this.child = child;
      this.ready = false;
      let started = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the engine process did not load its models within ${this.opts.startTimeoutMs / 1000}s`));
      }, this.opts.startTimeoutMs);
      child.on('message', (msg: EngineReply) => {
        if ('ready' in msg) {
          clearTimeout(timer);
          started = true;
          this.models = msg.ready;
          this.ready = true;
          resolve();
          this.pump();
        } else {
          this.settle(msg);
        }
      });
      child.on('error', (err) => {
        if (!started) {
          clearTimeout(timer);
          reject(err);
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (!started) reject(new Error(`the engine process exited while loading its models (${signal ? `signal ${signal}` : `exit code ${code}`})`));
        this.onExit(child, code, signal);
      });
    });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = null;
    const wasReady = this.ready;
    this.ready = false;
    const lost = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const c of lost) clearTimeout(c.timer);
    if (this.closed) {
      for (const c of [...lost, ...this.waiting.splice(0)]) c.reject(new Error('the image engine was shut down'));
      return;
    }
    if (!wasReady) return; // a failed start: restart() deals with it
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (this.killedForHang) {
      this.killedForHang = false;
      this.waiting.unshift(...lost);
    } else if (lost.length === 1) {
      const c = lost[0]!;
      c.reject(new EngineFailure('crashed', `the image engine crashed (${how}) during ${c.op} of this image; it was restarted`));
    } else {
      for (const c of lost) c.solo = true;
      this.waiting.unshift(...lost);
    }
    this.opts.log?.(`engine process ended (${how}) with ${lost.length} call(s) in flight; restarting`);
    this.restart();
  }

  private restart(): void {
    if (this.closed || this.starting) return;
    const delay = this.startFailures ? Math.min(30_000, 500 * 2 ** Math.min(this.startFailures, 6)) : 0;
    this.starting = sleep(delay)
      .then(() => this.spawn())
      .then(
        () => {
          this.startFailures = 0;
          this.starting = null;
          this.restarts++;
          this.pump();
        },
        (err: unknown) => {
          this.startFailures++;
          this.lastStartError = err instanceof Error ? err.message : String(err);
          this.starting = null;
          this.opts.log?.(`engine process failed to start (${this.lastStartError})`);
          // Work cannot wait for ever: after a few failed starts, calls fail (and Temporal retries them).
          if (this.startFailures >= 3) for (const c of this.waiting.splice(0)) c.reject(new Error(`the image engine cannot start: ${this.lastStartError}`));
          this.restart();
        },
      );
  }

  private pump(): void {
    while (this.ready && this.child && this.waiting.length) {
      const next = this.waiting[0]!;
      const soloRunning = [...this.inFlight.values()].some((c) => c.solo);
      if (soloRunning || (next.solo && this.inFlight.size > 0)) return;
      if (this.inFlight.size >= (this.opts.maxConcurrent ?? Infinity)) return;
      this.waiting.shift();
      this.send(next);
    }
  }

  private send(call: Call): void {
    this.inFlight.set(call.id, call);
    call.timer = setTimeout(() => this.hung(call), this.opts.callTimeoutMs);
    const req: EngineRequest = { id: call.id, op: call.op, args: call.args };
    // A send to a process that just died fails; its exit handler deals with the call.
    this.child!.send(req, (err) => err && undefined);
  }

  private hung(call: Call): void {
    if (!this.inFlight.delete(call.id)) return;
    call.reject(new EngineFailure('timed-out', `the image engine took more than ${Math.round(this.opts.callTimeoutMs / 1000)}s on ${call.op} of this image; it was stopped and restarted`));
    this.killedForHang = true;
    this.child?.kill('SIGKILL');
  }

  private settle(msg: Exclude<EngineReply, { ready: EngineModels }>): void {
    const call = this.inFlight.get(msg.id);
    if (!call) return;
    this.inFlight.delete(msg.id);
    clearTimeout(call.timer);
    if (msg.ok) call.resolve(msg.value);
    else call.reject(fromWire(msg.error));
    this.pump();
  }

  private call<T>(op: EngineOp, args: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the image engine was shut down'));
    if (this.startFailures >= 3 && !this.ready) return Promise.reject(new Error(`the image engine cannot start: ${this.lastStartError}`));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, op, args, resolve: resolve as (v: unknown) => void, reject, solo: false });
      this.pump();
      if (!this.child && !this.starting) this.restart();
    });
  }

  probe(src: ImageInput): Promise<ImageInfo> {
    return this.call('probe', [src]);
  }
  pdq(src: ImageInput): Promise<PdqResult> {
    return this.call('pdq', [src]);
  }
  objects(src: ImageInput, cropPadding: number): Promise<ObjectsResult> {
    return this.call('objects', [src, cropPadding]);
  }
  text(src: ImageInput): Promise<TextResult> {
    return this.call('text', [src]);
  }
  describe(src: ImageInput): Promise<DescribeResult> {
    return this.call('describe', [src]);
  }
  scene(src: ImageInput, objects?: { label: string; score: number }[]): Promise<SceneLabel[]> {
    return this.call('scene', objects ? [src, objects] : [src]);
  }
  faces(src: ImageInput): Promise<FacesResult> {
    return this.call('faces', [src]);
  }
  regions(src: ImageInput, boxes: RegionBox[]): Promise<RegionsResult> {
    return this.call('regions', [src, boxes]);
  }
  query(src: ImageInput): Promise<QueryResult> {
    return this.call('query', [src]);
  }
  frames(src: ImageInput, pages: number[]): Promise<{ page: number; png: Uint8Array }[]> {
    return this.call('frames', [src, pages]);
  }
  match(query: Uint8Array, candidates: Uint8Array[]): Promise<FeatureMatch[]> {
    return this.call('match', [query, candidates]);
  }
  matchDense(query: Uint8Array, candidates: ImageInput[]): Promise<FeatureMatch[]> {
    return this.call('matchDense', [query, candidates]);
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.disconnect(); // the engine exits when its channel closes
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

import type { ImageDescriptors, ImageRef, ModelRef, StageName, StageOutcome, StageStatus } from '../core/clues';
import { specOf } from '../core/stages';
import { joinedModel, type EngineModels, type EngineOp, type ImageEngine } from '../engine/image-engine';
import type { ImageSource } from '../models/image-loader';
import type { STAGE_REGISTRY } from '../core/stage-registry';
import type { ActivityDeps } from './deps';
import { asActivityError } from './errors';
import { withHeartbeat } from './heartbeat';
import { engineInput, imageSource } from './image-source';

// One shape for every stage's activity: the stage's own code (a StageDefinition) says only what
// it makes of the image; checking its models, reading the image, calling its engine operation
// with a heartbeat, timing, recording the model and turning errors into Temporal's kinds are done
// here, once, from the stage's registry entry.

/**
 * What a stage's activity receives: the image, and the outcomes of the stages it reads. Workflows
 * recorded before the registry sent `{ ref, ...what it read }`, or only the hash (where).
 */
export type StageInput =
  | (ImageRef & { inputs?: Partial<Record<StageName, StageOutcome>> })
  | { ref: ImageRef; objects?: { label: string; score: number }[]; descriptors?: ImageDescriptors }
  | { sha256: string };

type OpOf<S extends StageName> = (typeof STAGE_REGISTRY)[S] extends { engineOp: infer O extends EngineOp } ? O : never;
type Rest<T> = T extends [unknown, ...infer R] ? R : never;
/** The stage's engine operation on this image: its arguments after the image. */
export type OpCall<S extends StageName> = [OpOf<S>] extends [never]
  ? undefined
  : (...args: Rest<Parameters<ImageEngine[OpOf<S>]>>) => ReturnType<ImageEngine[OpOf<S>]>;

export interface StageContext<S extends StageName> {
  ref: ImageRef;
  /** The input as sent: workflows recorded before the stage registry sent other shapes to some stages. */
  input: unknown;
  inputs: Partial<Record<StageName, StageOutcome>>;
  deps: ActivityDeps;
  /** The model the stage records unless it says otherwise. */
  model: ModelRef;
  /** The image's path or bytes, read once. */
  source(): Promise<ImageSource>;
  /** The stage's engine operation (its registry entry's `engineOp`) on this image, heartbeating. */
  engine: OpCall<S>;
}

export interface StageResult {
  status?: Exclude<StageStatus, 'failed'>;
  reason?: string;
  clues?: StageOutcome['clues'];
  data?: StageOutcome['data'];
  /** Where the model that ran is not the one expected (an OCR engine failed on this image). */
  model?: ModelRef;
  /** A stage that runs after saving and saved its outcome itself (where: unless a later one was). */
  saved?: boolean;
}

export interface StageDefinition<S extends StageName> {
  /**
   * The model recorded where the stage needs no engine model (code of this repository, with its
   * version), or where those it needs are missing and it has a fallback (scene from objects).
   */
  ownModel?: ModelRef;
  run(ctx: StageContext<S>): Promise<StageResult>;
}

/** Every stage's definition: a full record, so a stage without one does not compile. */
export type StageDefinitions = { [S in StageName]: StageDefinition<S> };

/**
 * The model a stage records in this worker, or why it cannot run: its engine models joined (for
 * text, the readers installed), else its own model; a stage records exactly this, so a stored
 * version can be compared (the re-run rules).
 */
export function stageModel(s: StageName, engineModels: EngineModels | (() => EngineModels), own?: ModelRef): { model: ModelRef } | { missing: string } {
  // Read only for a stage that needs engine models (where and people run without an engine).
  const models = () => (typeof engineModels === 'function' ? engineModels() : engineModels);
  const refs: ModelRef[] = [];
  const missing: string[] = [];
  for (const name of specOf(s).models) {
    const m = models()[name];
    const all = Array.isArray(m) ? m : [m];
    const ok = all.flatMap((a) => (a.ok ? [a.model] : []));
    if (ok.length) refs.push(...ok);
    else missing.push(all.map((a) => (a.ok ? '' : a.reason)).filter(Boolean).join('; ') || `no ${name} model configured`);
  }
  for (const name of specOf(s).optional ?? []) {
    const m = models()[name];
    for (const a of Array.isArray(m) ? m : [m]) if (a.ok) refs.push(a.model);
  }
  if (refs.length && !missing.length) return { model: refs.length === 1 ? refs[0]! : joinedModel(refs) };
  if (own) return { model: own };
  return { missing: missing.join('; ') || 'no model' };
}

const refOf = (input: unknown): ImageRef => {
  const i = input as Partial<ImageRef> & { ref?: ImageRef };
  return i.ref ?? { path: i.path ?? '', sha256: i.sha256 ?? '' };
};

/** A stage's activity, built from its definition and its registry entry. */
export function stageActivity<S extends StageName>(stage: S, def: StageDefinition<S>, deps: ActivityDeps) {
  const spec = specOf(stage);
  const op = spec.engineOp as EngineOp | undefined;
  return (input: StageInput): Promise<StageOutcome> =>
    asActivityError(async () => {
      const started = Date.now();
      const ref = refOf(input);
      const chosen = stageModel(stage, () => deps.engine.models, def.ownModel);
      if ('missing' in chosen) return { stage, status: 'unavailable', reason: chosen.missing, clues: [] };
      let read: Promise<ImageSource> | undefined;
      const source = () => (read ??= imageSource(deps.blobs, ref.path));
      const call = async (...args: unknown[]) => {
        const src = engineInput(await source(), ref.sha256);
        const run = deps.engine[op!] as (...a: unknown[]) => Promise<unknown>;
        return withHeartbeat(() => run.call(deps.engine, src, ...args));
      };
      const ctx: StageContext<S> = {
        ref,
        input,
        inputs: ('inputs' in input ? input.inputs : undefined) ?? {},
        deps,
        model: chosen.model,
        source,
        engine: (op ? call : undefined) as OpCall<S>,
      };
      const res = await def.run(ctx);
      const outcome: StageOutcome = {
        stage,
        status: res.status ?? 'ok',
        ...(res.status === 'unavailable' ? {} : { model: res.model ?? chosen.model }),
        clues: res.clues ?? [],
        ...(res.data ? { data: res.data } : {}),
        ...(res.reason ? { reason: res.reason } : {}),
        durationMs: Date.now() - started,
      };
      if (!spec.afterSave || outcome.status !== 'ok') return outcome;
      // A stage that runs after saving saves itself; what it hands back is the outcome alone
      // (the data stays with the image).
      if (!res.saved) await deps.store.images.saveStage(ref.sha256, outcome);
      return { ...outcome, data: {} };
    });
}

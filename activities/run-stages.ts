import { ApplicationFailure } from '@temporalio/activity';
import type { ImageRef, StageName, StageOutcome } from '../core/clues';
import { inputsOf, specOf, stageWaves } from '../core/stages';

type StageActivity = (input: ImageRef & { inputs: Partial<Record<StageName, StageOutcome>> }) => Promise<StageOutcome>;

export interface RunStagesInput extends ImageRef {
  stages: StageName[];
  /** Outcomes of stages run before, which some of these read. */
  inputs: Partial<Record<StageName, StageOutcome>>;
}

export interface RunStagesResult {
  /** One outcome per stage, as its own activity would have returned it. */
  outcomes: StageOutcome[];
  /**
   * Stages that failed in a way a retry may mend (a busy store, a restarting engine). The
   * workflow runs each again as its own activity, with that activity's retry policy; failures
   * that no retry mends (a bad image, an engine crash of its own) are final outcomes here.
   */
  retry: StageName[];
}

/**
 * Several stages of one image in one activity: one round trip through Temporal instead of one
 * per stage, on the worker whose engine holds the image's pixels. Stages run wave by wave, as the
 * workflow would run them, and one stage's failure is that stage's outcome alone.
 */
export function runStages(activities: object) {
  return async ({ stages, inputs, ...ref }: RunStagesInput): Promise<RunStagesResult> => {
    const done = new Map<StageName, StageOutcome>(Object.entries(inputs) as [StageName, StageOutcome][]);
    const outcomes: StageOutcome[] = [];
    const retry: StageName[] = [];
    for (const wave of stageWaves(stages)) {
      const results = await Promise.all(
        wave.map(async (name): Promise<StageOutcome> => {
          const arg = { path: ref.path, sha256: ref.sha256, inputs: Object.fromEntries(inputsOf(name).flatMap((i) => (done.has(i) ? [[i, done.get(i)!]] : []))) };
          try {
            return await (activities as Record<string, StageActivity>)[specOf(name).activity]!(arg);
          } catch (err) {
            if (!(err instanceof ApplicationFailure && err.nonRetryable)) retry.push(name);
            return { stage: name, status: 'failed', reason: err instanceof Error ? err.message : String(err), clues: [] };
          }
        }),
      );
      for (const o of results) {
        done.set(o.stage, o);
        outcomes.push(o);
      }
    }
    return { outcomes, retry };
  };
}

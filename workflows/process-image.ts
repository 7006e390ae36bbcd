import { ApplicationFailure, executeChild, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';
import { INVALID_IMAGE, STAGES, type FramesSummary, type ImageRef, type ProcessImageInput, type ProcessImageResult, type StageName, type StageOutcome, type StageStatus } from '../core/clues';
import { applicationFailure, failureReason, neverStarted } from '../core/failures';
import { afterSave, inputsOf, specOf, stageWaves } from '../core/stages';
import { cpuOptions, ioOptions, stage } from './policies';
import { processImageV1 } from './process-image-v1';

type Activities = activities.WorkerActivities;
type StageActivity = (input: ImageRef & { inputs: Partial<Record<StageName, StageOutcome>> }) => Promise<StageOutcome>;

/** Marks histories of workflows that route CPU stages to the worker holding the image's pixels. */
export const IMAGE_WORKER_QUEUE = 'image-worker-queue';
/** Marks histories of workflows that process a multi-page file's other frames as images. */
export const MULTI_PAGE_FRAMES = 'multi-page-frames';
/** Marks histories of workflows that weigh where and when once the image's clues are saved. */
export const WHERE_STAGE = 'where-stage';
/** Marks histories of workflows that run an image's stages in one activity (each still its own outcome). */
export const GROUPED_STAGES = 'grouped-stages';

/** Light stages and saving: the workflow's own queue. */
const io = proxyActivities<Activities>(ioOptions);

/**
 * Extracts every clue from one image. The workflow id is `image-<sha256>`, so the same bytes are
 * processed once whatever their path; the input is a reference to the file, never its pixels.
 *
 * The first CPU activity (any CPU worker) decodes the image and keeps its pixels in that worker's
 * engine; the image's CPU stages then go to that worker's own task queue, so the image is decoded
 * once. If that worker is gone (its queue is not served within the schedule-to-start timeout), a
 * stage runs on the shared CPU queue instead, and that worker decodes the image again.
 */
export async function processImage(input: ProcessImageInput): Promise<ProcessImageResult> {
  if (!patched(IMAGE_WORKER_QUEUE)) return processImageV1(input);
  const ref: ImageRef = { path: input.path, sha256: input.sha256 };
  const shared = proxyActivities<Activities>(cpuOptions(`${workflowInfo().taskQueue}-cpu`));
  let prepared;
  try {
    prepared = await shared.prepareImage(ref);
  } catch (err) {
    const invalid = applicationFailure(err)?.type === INVALID_IMAGE ? applicationFailure(err) : undefined;
    const code = invalid ? ((invalid.details?.[0] as string) ?? 'invalid') : 'unreadable';
    const reason = failureReason(err);
    await io.recordFailure({ ...ref, ...(input.caseId ? { caseId: input.caseId } : {}), code, reason });
    throw ApplicationFailure.create({ message: reason, type: INVALID_IMAGE, nonRetryable: true, details: [code] });
  }
  // The worker holding the pixels takes its activities at once (they wait for its engine inside
  // it); not taken within 30 s, it is gone, and the stage goes to any CPU worker.
  const onImage = proxyActivities<Activities>({ ...cpuOptions(prepared.queue), scheduleToStartTimeout: '30 seconds' });
  const queues = { io, image: onImage };
  // A multi-page file: its other frames are images of their own (child workflows, in parallel
  // with this image's stages), each linked to this file as frame N of M.
  const frames = (prepared.info.pages ?? 1) > 1 && patched(MULTI_PAGE_FRAMES) ? processFrames(ref, prepared.info.pages!, onImage, input.caseId) : undefined;

  // A re-run after a model changed runs only the stale stages (`only`, which keeps a stage and
  // its inputs together); a full run runs them all.
  const wanted = STAGES.filter((s) => (!input.only || input.only.includes(s)) && addedBefore(s));
  const done = new Map<StageName, StageOutcome>();
  const runWaves = async (names: readonly StageName[]) => {
    for (const wave of stageWaves(names)) {
      const outcomes = await Promise.all(
        wave.map((name) =>
          stage(name, async () => {
            const spec = specOf(name);
            const arg = { ...ref, inputs: Object.fromEntries(inputsOf(name).flatMap((i) => (done.has(i) ? [[i, done.get(i)!]] : []))) };
            const run = (acts: Activities) => stageActivity(acts, name)(arg);
            try {
              return await run(queues[spec.queue]);
            } catch (err) {
              if (spec.queue === 'image' && neverStarted(err)) return run(shared);
              throw err;
            }
          }),
        ),
      );
      for (const o of outcomes) done.set(o.stage, o);
    }
  };
  if (patched(GROUPED_STAGES)) {
    // One activity runs them all where the pixels are. A stage that failed in a way a retry may
    // mend runs again on its own (with the stages that read it); if the activity itself is lost,
    // every stage runs on its own as before.
    const before = wanted.filter((s) => !afterSave(s));
    const arg = { ...ref, stages: before, inputs: {} };
    const grouped = await onImage.runStages(arg).catch((err: unknown) => (neverStarted(err) ? shared.runStages(arg).catch(() => undefined) : undefined));
    if (grouped) {
      for (const o of grouped.outcomes) done.set(o.stage, o);
      const again = new Set(grouped.retry);
      for (const s of stageWaves(before).flat()) if (inputsOf(s).some((i) => again.has(i))) again.add(s);
      await runWaves(before.filter((s) => again.has(s)));
    } else {
      await runWaves(before);
    }
  } else {
    await runWaves(wanted);
  }
  const all = [...done.values()];
  const summary = await frames;
  const clueCount = await io.saveClues({
    ...ref,
    ...(input.caseId ? { caseId: input.caseId } : {}),
    ...(input.frameOf ? { frameOf: input.frameOf } : {}),
    ...(summary ? { frames: summary } : {}),
    info: prepared.info,
    stages: all,
  });

  // Stages that read what the image holds once saved (its tags and links too): where and when.
  let added = 0;
  if (patched(WHERE_STAGE)) {
    for (const name of wanted.filter(afterSave)) {
      const o = await stage(name, () => stageActivity(io, name)({ ...ref, inputs: {} }));
      // A success is saved by the stage itself; a failure is kept on record here.
      if (o.status !== 'ok') await io.saveClues({ ...ref, info: prepared.info, stages: [o] });
      added += o.clues.length;
      all.push(o);
    }
  }

  const stages = Object.fromEntries(STAGES.map((s) => [s, wanted.includes(s) ? 'failed' : 'kept'])) as Record<StageName, StageStatus | 'kept'>;
  for (const o of all) stages[o.stage] = o.status;
  const reasons = Object.fromEntries(all.filter((o) => o.status === 'failed').map((o) => [o.stage, o.reason ?? 'failed']));
  return { sha256: input.sha256, stages, clueCount: clueCount + added, ...(summary ? { frames: summary } : {}), ...(Object.keys(reasons).length ? { reasons } : {}) };
}

/** A stage's activity (the name its registry entry gives) on some queue's proxies. */
const stageActivity = (acts: Activities, name: StageName) => (acts as unknown as Record<string, StageActivity>)[specOf(name).activity]!;

/** Whether this workflow runs a stage: one added later (its `patch`) only where it was patched in. */
function addedBefore(s: StageName): boolean {
  const patch = specOf(s).patch;
  return !patch || patched(patch);
}

/**
 * The frames of a multi-page file beyond the first, as images of their own: extracted by the
 * worker holding the file, then one processImage each. A frame whose bytes were processed already
 * (the same frame twice in an animation, or an image seen before) is not processed again.
 */
async function processFrames(ref: ImageRef, count: number, onImage: Activities, caseId?: string): Promise<FramesSummary> {
  let extracted;
  try {
    extracted = await onImage.extractFrames({ ref, count });
  } catch (err) {
    return { count, processed: [1], notProcessed: { frames: Array.from({ length: count - 1 }, (_, i) => i + 2), reason: `frames could not be extracted: ${failureReason(err)}` } };
  }
  await Promise.all(
    extracted.frames.map((f) =>
      executeChild(processImage, {
        workflowId: `image-${f.sha256}`,
        args: [{ path: f.path, sha256: f.sha256, ...(caseId ? { caseId } : {}), frameOf: { sha256: ref.sha256, path: ref.path, index: f.index, count } }],
      }).catch(() => undefined), // recorded by the child itself, or already processed
    ),
  );
  return extracted.summary;
}

import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { failureReason } from '../core/failures';
import { cpuOptions, ioOptions, stage } from './policies';
import type * as activities from '../activities';
import { INVALID_IMAGE, STAGES, type ImageDescriptors, type ProcessImageInput, type ProcessImageResult, type StageName, type StageOutcome, type StageStatus } from '../core/clues';

type Activities = activities.WorkerActivities;

/** Light stages: the workflow's own queue. */
const io = proxyActivities<Activities>(ioOptions);

/** Model inference: `<queue>-cpu`, so CPU workers scale separately from the light ones. */
const cpuQueue = () => proxyActivities<Activities>(cpuOptions(`${workflowInfo().taskQueue}-cpu`));

const reasonOf = failureReason;

/**
 * processImage as it was before each stage went to the worker holding the image's pixels: kept
 * so that workflows started before that change replay and finish (see patched() in
 * process-image.ts). New workflows never run it.
 */
export async function processImageV1(input: ProcessImageInput): Promise<ProcessImageResult> {
  const ref = { path: input.path, sha256: input.sha256 };
  let info;
  try {
    info = await io.loadImage(ref);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    const code = cause instanceof ApplicationFailure && cause.type === INVALID_IMAGE ? ((cause.details?.[0] as string) ?? 'invalid') : 'unreadable';
    const reason = reasonOf(err);
    await io.recordFailure({ ...ref, ...(input.caseId ? { caseId: input.caseId } : {}), code, reason });
    throw ApplicationFailure.create({ message: reason, type: INVALID_IMAGE, nonRetryable: true, details: [code] });
  }

  const cpu = cpuQueue();
  // A re-run after a model changed runs only the stale stages (`only`, which keeps a stage and
  // its inputs together); a full run schedules exactly what it always did.
  const wanted = (s: StageName) => !input.only || input.only.includes(s);
  const maybe = (name: StageName, run: () => Promise<StageOutcome>) => (wanted(name) ? stage(name, run) : Promise.resolve(null));
  const first = await Promise.all([
    maybe('hashes', () => io.hashImage(ref)),
    maybe('metadata', () => io.readMetadata(ref)),
    maybe('objects', () => cpu.detectObjects(ref)),
    maybe('text', () => cpu.readText(ref)),
    maybe('features', () => cpu.describeImage(ref)),
  ]);
  // Stages that build on others: the scene on the objects found, places on the descriptors.
  const objects = first.find((o) => o?.stage === 'objects');
  const features = first.find((o) => o?.stage === 'features');
  const second = await Promise.all([
    objects ? stage('scene', () => cpu.classifyScene({ ref, objects: objects.clues.map((c) => ({ label: c.value, score: c.score ?? 0 })) })) : Promise.resolve(null),
    !features
      ? Promise.resolve(null)
      : features.status === 'ok'
        ? stage('places', () => cpu.matchPlaces({ ref, descriptors: features.data as unknown as ImageDescriptors }))
        : Promise.resolve<StageOutcome>({ stage: 'places', status: 'unavailable', reason: `no image features (${features.reason ?? features.status})`, clues: [] }),
  ]);
  const outcomes = [...first, ...second].filter((o): o is StageOutcome => o !== null);
  const clueCount = await io.saveClues({ ...ref, ...(input.caseId ? { caseId: input.caseId } : {}), info, stages: outcomes });

  const stages = Object.fromEntries(STAGES.map((s) => [s, wanted(s) ? 'failed' : 'kept'])) as Record<StageName, StageStatus | 'kept'>;
  for (const o of outcomes) stages[o.stage] = o.status;
  return { sha256: input.sha256, stages, clueCount };
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import webpack from 'webpack';
import type { BatchInput, BatchProgress } from '../core/batch';
import { stagesToRerun } from '../core/clues';
import { STAGES, termKindOf } from '../core/stages';
import { fileSha256 } from '../models/file-hashes';
import { stageModels } from '../activities/stage-models';
import { TOY_DEFINITION } from './fixtures/toy-stage/definition';
import { tempDir, uniqueCopy } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';
import { searchHits } from './support/store';

// A stage is declared once (core/stage-registry.ts) and defined once (its activity's
// StageDefinition); everything else is derived. This test adds a toy stage in a fixture, in those
// two places only, and sees it run, save, search, re-run and show.

vi.mock('../core/stage-registry', async (importOriginal) => {
  const real = await importOriginal<typeof import('../core/stage-registry')>();
  const { TOY_SPEC } = await import('./fixtures/toy-stage/spec');
  return { ...real, STAGE_REGISTRY: { ...real.STAGE_REGISTRY, toy: TOY_SPEC } };
});
vi.mock('../activities/stage-definitions', async (importOriginal) => {
  const real = await importOriginal<typeof import('../activities/stage-definitions')>();
  const { TOY_DEFINITION: toy } = await import('./fixtures/toy-stage/definition');
  return { STAGE_DEFINITIONS: { ...real.STAGE_DEFINITIONS, toy } };
});

let ctx: TestContext;

beforeAll(async () => {
  // The workflow code, bundled with the fixture's registry in place of the real one.
  const fixture = join(__dirname, 'fixtures', 'toy-stage', 'registry.ts');
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(__dirname, '..', 'workflows', 'index.ts'),
    logger: new DefaultLogger('WARN'),
    webpackConfigHook: (config) => {
      config.plugins = [
        ...(config.plugins ?? []),
        new webpack.NormalModuleReplacementPlugin(/stage-registry$/, (resource: { request: string; context: string }) => {
          if (!resource.context.includes('toy-stage')) resource.request = fixture;
        }),
      ];
      return config;
    },
  });
  const bundle = join(__dirname, '.tmp', 'toy-workflow-bundle.js');
  writeFileSync(bundle, code);
  ctx = await openTestContext('toy_stage', { workflowBundle: bundle });
});
afterAll(async () => ctx?.close());

const toy = 'toy' as (typeof STAGES)[number];

describe('a stage added in one registry entry and one definition', () => {
  it('when the toy stage is declared, then the derived rules know it: its clue type is searched as words, its model is recorded', () => {
    expect(STAGES).toContain(toy);
    expect(termKindOf({ type: 'shape' })).toBe('word');
    expect(stageModels(ctx.engine.models)[toy]).toEqual({ name: 'toy-shape', version: '1' });
  });

  it('when a stage was recorded unavailable (faces, before its model was installed), then the model this worker has makes it run again, with where', () => {
    const current = stageModels(ctx.engine.models);
    expect(current.faces).toMatchObject({ name: expect.stringContaining('retinaface') });
    const stored = Object.fromEntries(STAGES.map((s) => [s, { status: 'ok' as const, ...(current[s] ? { model: current[s] } : {}) }]));
    expect(stagesToRerun(stored, current)).toEqual([]);
    expect(stagesToRerun({ ...stored, faces: { status: 'unavailable' } }, current)).toEqual(['faces', 'people', 'where']);
    expect(stagesToRerun({ ...stored, faces: { status: 'ok', model: { ...current.faces!, version: '0' } } }, current)).toEqual(['faces', 'people', 'where']);
  });

  it('when an image is processed, then the toy stage runs in the workflow, its clue is saved and found by search; when its model changes, a run re-runs it alone (with the stages that run after saving)', async () => {
    const dir = tempDir('toy-stage');
    const path = await uniqueCopy('chelsea.png', dir, 'cat.png');
    const sha256 = await fileSha256(path);
    const run = (runId: string) =>
      ctx.withWorker(async (taskQueue) => {
        const input: BatchInput = { runId, source: { kind: 'folder', path: dir }, concurrency: 1, pageSize: 10 };
        return (await ctx.client.workflow.execute('processBatch', { workflowId: runId, taskQueue, args: [input] })) as BatchProgress;
      });

    expect(await run(`toy-first-${Date.now()}`)).toMatchObject({ found: 1, done: 1, failed: 0 });
    const image = await ctx.store.images.get(sha256);
    expect(image?.stages?.[toy]).toMatchObject({ status: 'ok', model: { name: 'toy-shape', version: '1' } });
    const clues = await ctx.store.images.cluesOf(sha256);
    expect(clues.filter((c) => (c.stage as string) === 'toy').map((c) => [c.type, c.value])).toEqual([['shape', 'landscape']]);
    expect((await searchHits(ctx.store, { text: 'landscape' })).map((h) => h.sha256)).toEqual([sha256]);
    const textStage = image?.stages?.text;

    // A new version of the toy's model: the next run re-runs the toy stage (and where, which reads
    // every clue), and nothing else.
    TOY_DEFINITION.ownModel = { name: 'toy-shape', version: '2' };
    expect(await run(`toy-again-${Date.now()}`)).toMatchObject({ found: 1, done: 1, failed: 0 });
    const again = await ctx.store.images.get(sha256);
    expect(again?.stages?.[toy]).toMatchObject({ status: 'ok', model: { version: '2' } });
    expect(again?.stages?.text).toEqual(textStage);
  });
});

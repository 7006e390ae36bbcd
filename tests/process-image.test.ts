import { readEmbedding } from '../core/compact-vectors';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageWorkflowId, payloadCodec } from '../client/temporal-client';
import type { AesGcmPayloadCodec } from '../client/payload-codec';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { ProcessImageResult } from '../core/clues';
import { fileSha256 } from '../models/file-hashes';
import { badInputs, tempDir, textOnPhoto, uniqueCopy } from './support/fixtures';
import { runCli } from './support/cli';
import { searchHits } from './support/store';
import { openTestContext, type TestContext } from './support/services';

let ctx: TestContext;
let dir: string;

beforeAll(async () => {
  ctx = await openTestContext('workflow');
  dir = tempDir('workflow');
});
afterAll(async () => ctx?.close());

function cliEnv(taskQueue: string) {
  return { CLUES_TASK_QUEUE: taskQueue, CLUES_DB_NAME: ctx.dbName };
}

/** Replaces every encrypted payload of a history, in place, by its plain form. */
async function decryptPayloads(node: unknown, codec: AesGcmPayloadCodec): Promise<void> {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return;
  for (const [k, v] of Object.entries(node)) {
    if (v && typeof v === 'object' && (v as { data?: unknown }).data instanceof Uint8Array && (v as { metadata?: unknown }).metadata) {
      (node as Record<string, unknown>)[k] = (await codec.decode([v as never]))[0];
    } else await decryptPayloads(v, codec);
  }
}

async function runWorkflow(path: string, taskQueue: string): Promise<ProcessImageResult> {
  const sha256 = await fileSha256(path);
  return ctx.client.workflow.execute('processImage', {
    workflowId: imageWorkflowId(sha256),
    taskQueue,
    args: [{ path, sha256 }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}

describe('processImage, end to end through the CLI', () => {
  it('when an image with a sign is ingested, then its clues are stored and `clues search` finds it by a word it shows', async () => {
    const img = await textOnPhoto('chelsea.png', 'WIVENHOE BAKERY', dir, 'sign.png');
    const sha256 = await fileSha256(img);
    await ctx.withWorker(async (taskQueue) => {
      const ingest = await runCli(['ingest', img, '--wait'], cliEnv(taskQueue));
      expect(ingest.stderr).toBe('');
      expect(ingest.stdout).toContain('found 1, started 1, processed 1, skipped as duplicate 0, failed 0');
      expect(ingest.code).toBe(0);

      if (process.env.CLUES_RECORD_HISTORY === '1') {
        // Recorded decrypted (payloads as before encryption), so that any data folder replays it.
        const history = await ctx.client.workflow.getHandle(imageWorkflowId(sha256)).fetchHistory();
        await decryptPayloads(history, payloadCodec(ctx.cfg));
        mkdirSync(join(__dirname, 'fixtures', 'histories'), { recursive: true });
        writeFileSync(join(__dirname, 'fixtures', 'histories', 'process-image.json'), historyToJSON(history));
      }
    });

    const image = await ctx.store.images.get(sha256);
    expect(image?.status).toBe('processed');
    expect(image?.paths).toEqual([img]);
    expect(image?.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(image?.sha1).toMatch(/^[0-9a-f]{40}$/);
    expect(image?.pdq?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(image?.stages?.text?.status).toBe('ok');
    expect(image?.stages?.hashes?.status).toBe('ok');
    expect(image?.stages?.metadata?.status).toBe('ok');
    expect(image?.stages?.objects?.status).toBe('ok');
    expect(image?.stages?.features?.status).toBe('ok');
    // Compact: f16 bytes, not 1,280 BSON doubles; and the image's regions are saved for the index.
    expect(readEmbedding(image?.embedding)).toHaveLength(1280);
    expect(image?.stages?.regions).toMatchObject({ status: 'ok', model: { name: 'rmac-128' } });
    expect((await ctx.store.regions.get(sha256))?.kinds).toMatch(/^wg+[ot]*$/);
    // The scene comes from the ImageNet backbone's classes, grouped into place types.
    expect(image?.stages?.scene).toMatchObject({ status: 'ok', model: { name: 'imagenet-scene-groups+mobilenet-v2' } });
    expect(image?.stages?.places).toMatchObject({ status: 'ok', reason: 'no known places yet' });

    const clues = await ctx.store.images.cluesOf(sha256);
    const words = clues.filter((c) => c.type === 'text').flatMap((c) => c.tokens);
    expect(words).toEqual(expect.arrayContaining(['wivenhoe', 'bakery']));
    expect(clues.find((c) => c.tokens.includes('wivenhoe'))?.model?.name).toBe('ppocr-v6-small-onnx+cls+tesseract.js-lstm-eng');

    const search = await runCli(['search', '--text', 'Wivenhoe', '--json'], cliEnv('unused'));
    expect(search.code).toBe(0);
    const hits = JSON.parse(search.stdout) as { path: string; sha256: string; score: number; matches: { type: string; value: string }[] }[];
    expect(hits[0]).toMatchObject({ path: img, sha256 });
    expect(hits[0]!.score).toBeGreaterThan(0.5);
    expect(hits[0]!.matches[0]!.value).toMatch(/WIVENHOE/);

    const none = await runCli(['search', '--text', 'zanzibar', '--json'], cliEnv('unused'));
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  it('when a photo shows a face, then the faces stage stores it with its box for analysts, object:face finds the image, and a photo without one has none', async () => {
    const face = await uniqueCopy('astronaut.png', dir, 'face.png');
    const cat = await uniqueCopy('chelsea.png', dir, 'no-face.png');
    await ctx.withWorker(async (taskQueue) => {
      await runWorkflow(face, taskQueue);
      await runWorkflow(cat, taskQueue);
    });
    const withFace = await ctx.store.images.get(await fileSha256(face));
    expect(withFace?.stages?.faces).toMatchObject({ status: 'ok', clueCount: 1, model: { name: 'retinaface-mobilenet0.25-onnx+animal-check+dlib-face-resnet-v1-onnx' } });
    const faces = (await ctx.store.images.cluesOf(withFace!._id)).filter((c) => c.type === 'face');
    expect(faces).toHaveLength(1);
    expect(faces[0]).toMatchObject({ value: 'face', detail: { index: 1, of: 1 } });
    expect(faces[0]!.box!.w).toBeGreaterThan(50);
    expect(faces[0]!.detail?.crop).toBeUndefined(); // no crop of a face is cut
    expect((await searchHits(ctx.store, { object: 'face' })).map((h) => h.sha256)).toContain(withFace!._id);
    const without = await ctx.store.images.get(await fileSha256(cat));
    expect(without?.stages?.faces).toMatchObject({ status: 'ok', clueCount: 0 });
  });

  it('when the same image is ingested again, then no new workflow runs and no clue is duplicated', async () => {
    const img = await uniqueCopy('page.png', dir);
    const copy = join(dir, 'page-copy.png');
    writeFileSync(copy, await import('node:fs/promises').then((fs) => fs.readFile(img)));
    const sha256 = await fileSha256(img);
    await ctx.withWorker(async (taskQueue) => {
      const first = await runCli(['ingest', img, '--wait'], cliEnv(taskQueue));
      expect(first.stdout).toContain('processed 1');
      const runId = (await ctx.client.workflow.getHandle(imageWorkflowId(sha256)).describe()).runId;
      const cluesBefore = await ctx.store.images.cluesOf(sha256);
      expect(cluesBefore.length).toBeGreaterThan(0);

      const again = await runCli(['ingest', img, copy, '--wait'], cliEnv(taskQueue));
      expect(again.stdout).toContain('found 2, started 0, processed 0, skipped as duplicate 2, failed 0');
      expect((await ctx.client.workflow.getHandle(imageWorkflowId(sha256)).describe()).runId).toBe(runId);
      const cluesAfter = await ctx.store.images.cluesOf(sha256);
      expect(cluesAfter.map((c) => c._id).sort()).toEqual(cluesBefore.map((c) => c._id).sort());
      // The copy's path is kept as another source of the same evidence.
      expect((await ctx.store.images.get(sha256))?.paths.sort()).toEqual([copy, img].sort());
    });
  });
});

describe('processImage with bad input', () => {
  it('when bad files are ingested with a good one, then each gets a recorded failure with its reason and the good one finishes', async () => {
    const bad = await badInputs(tempDir('bad'));
    const good = await uniqueCopy('coffee.png', dir);
    await ctx.withWorker(async (taskQueue) => {
      const res = await runCli(['ingest', ...bad.map((b) => b.path), good, '--wait', '--json'], cliEnv(taskQueue));
      expect(res.code).toBe(3); // finished, with failures
      const summary = JSON.parse(res.stdout) as { total: number; processed: number; failed: number; duplicates: number; failures: { path: string; reason: string }[] };
      expect(summary).toMatchObject({ total: 5, processed: 1, failed: 4, duplicates: 0 });
      for (const b of bad) {
        expect(summary.failures.find((f) => f.path === b.path)?.reason).toMatch(b.expect);
        const record = await ctx.store.images.get(await fileSha256(b.path));
        expect(record?.status).toBe('failed');
        expect(record?.failure?.reason).toMatch(b.expect);
        expect(record?.paths).toContain(b.path);
      }
      expect((await ctx.store.images.get(await fileSha256(good)))?.status).toBe('processed');
    });
  });

  it('when an image cannot be decoded, then the workflow fails at once as non-retryable InvalidImage', async () => {
    const [, truncated] = await badInputs(tempDir('bad2'));
    let attempts = 0;
    await ctx.withWorker(
      async (taskQueue) => {
        const err = await runWorkflow(truncated!.path, taskQueue).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WorkflowFailedError);
        const cause = (err as WorkflowFailedError).cause;
        expect(cause).toBeInstanceOf(ApplicationFailure);
        expect((cause as ApplicationFailure).type).toBe('InvalidImage');
        expect((cause as ApplicationFailure).nonRetryable).toBe(true);
      },
      (a) => ({ ...a, prepareImage: (ref) => (attempts++, a.prepareImage(ref)) }),
    );
    expect(attempts).toBe(1);
  });
});

describe('processImage retries and partial failure', () => {
  it('when an activity fails once, then it is retried and the workflow completes', async () => {
    const img = await uniqueCopy('page.png', dir, 'retry.png');
    let calls = 0;
    const result = await ctx.withWorker(
      (taskQueue) => runWorkflow(img, taskQueue),
      (a) => ({
        ...a,
        readText: async (ref) => {
          calls++;
          if (calls === 1) throw new Error('simulated transient OCR fault');
          return a.readText(ref);
        },
      }),
    );
    expect(calls).toBe(2);
    expect(result.stages.text).toBe('ok');
    expect(result.clueCount).toBeGreaterThan(0);
  });

  it('when one extractor fails for good, then its failure is recorded and the other clues are kept', async () => {
    const img = await uniqueCopy('page.png', dir, 'partial.png');
    const result = await ctx.withWorker(
      (taskQueue) => runWorkflow(img, taskQueue),
      (a) => ({
        ...a,
        readMetadata: async () => {
          throw ApplicationFailure.nonRetryable('simulated EXIF parser crash', 'SimulatedCrash');
        },
      }),
    );
    expect(result.stages).toMatchObject({ metadata: 'failed', text: 'ok', hashes: 'ok' });
    const image = await ctx.store.images.get(await fileSha256(img));
    expect(image?.stages?.metadata).toMatchObject({ status: 'failed', reason: 'simulated EXIF parser crash' });
    expect(image?.stages?.text?.clueCount).toBeGreaterThan(0);
  });
});

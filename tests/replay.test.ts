import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workerDataConverter } from '../client/temporal-client';
import { loadConfig } from '../core/config';

// Recorded processImage histories: process-image.json is the current workflow's
// (CLUES_RECORD_HISTORY=1 npm test regenerates it); process-image-v1.json was recorded before the
// stages followed the image's pixels to one worker (patched('image-worker-queue')), and
// process-image-v2.json before they ran in one activity (patched('grouped-stages')).
// process-batch-v1.json is a processBatch recorded before every failure was kept in the store
// (patched('run-items')): two pages of a manifest whose files are missing or outside its folder.
// If a change to a workflow would break determinism for runs in flight, a replay fails. They were
// recorded before payloads were encrypted: replayed through the payload codec, which lets plain
// payloads pass, as it does for histories in flight across that upgrade
// (tests/payload-encryption.test.ts replays an encrypted one).
const DIR = join(__dirname, 'fixtures', 'histories');

describe('workflow replay', () => {
  it.each(readdirSync(DIR).filter((f) => f.endsWith('.json')))('when the committed history %s is replayed against the current workflow code, then it is deterministic', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
    expect(history.events?.length).toBeGreaterThan(10);
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: join(__dirname, '.tmp', 'workflow-bundle.js') }, dataConverter: workerDataConverter(loadConfig()) }, history),
    ).resolves.toBeUndefined();
  });
});

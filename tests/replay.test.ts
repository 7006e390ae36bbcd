import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

// A recorded processImage history (CLUES_RECORD_HISTORY=1 npm test regenerates it). If a change to
// the workflow would break determinism for runs in flight, this replay fails.
describe('processImage replay', () => {
  it('when the committed history is replayed against the current workflow code, then it is deterministic', async () => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(__dirname, 'fixtures', 'histories', 'process-image.json'), 'utf8')));
    expect(history.events?.length).toBeGreaterThan(10);
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: join(__dirname, '.tmp', 'workflow-bundle.js') } }, history),
    ).resolves.toBeUndefined();
  });
});

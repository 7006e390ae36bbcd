import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The workflow rule of eslint.config.mjs, tried on snippets linted as if they were workflow files.

const root = join(__dirname, '..');
const eslint = new ESLint({ cwd: root });

async function problems(code: string, file = 'workflows/x.ts'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('ESLint rules for workflow code', () => {
  it.each([
    "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;",
    "import { join } from 'path';\nexport const x = join;",
    "import { createHash } from 'crypto';\nexport const x = createHash;",
    "import { spawn } from 'child_process';\nexport const x = spawn;",
    "import { MongoClient } from 'mongodb';\nexport const x = MongoClient;",
    "import sharp from 'sharp';\nexport const x = sharp;",
    "import { InferenceSession } from 'onnxruntime-node';\nexport const x = InferenceSession;",
    "import { createActivities } from '../activities';\nexport const x = createActivities;",
    "import { Store } from '../store';\nexport const x = Store;",
  ])('when a workflow imports I/O (%s), then lint fails', async (code) => {
    const found = await problems(code);
    expect(found.some((p) => p.startsWith('@typescript-eslint/no-restricted-imports'))).toBe(true);
  });

  it('when a workflow imports activities as types and the workflow SDK, then lint passes', async () => {
    const code = "import { proxyActivities } from '@temporalio/workflow';\nimport type * as activities from '../activities';\nexport const a = proxyActivities<ReturnType<typeof activities.createActivities>>({ startToCloseTimeout: '1 minute' });\n";
    expect(await problems(code)).toEqual([]);
  });

  it('when the same I/O import is outside workflows, then the workflow rule does not apply', async () => {
    expect(await problems("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", 'activities/x.ts')).toEqual([]);
  });
});

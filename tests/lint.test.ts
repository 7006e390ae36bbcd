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

describe('ESLint rule for the layers (no arrow from a lower layer to a higher one)', () => {
  it.each([
    ['store/x.ts', "import { searchImages } from '../usecases/search-images';\nexport const x = searchImages;"],
    ['core/x.ts', "import type { Store } from '../store';\nexport type X = Store;"],
    ['models/x.ts', "import { openStore } from '../store';\nexport const x = openStore;"],
    ['web/src/x.ts', "import type { ClueDoc } from '../../store/documents';\nexport type X = ClueDoc;"],
    ['client/x.ts', "import { ingest } from '../usecases/ingest';\nexport const x = ingest;"],
    ['engine/x.ts', "import { createActivities } from '../activities';\nexport const x = createActivities;"],
  ])('when %s imports a higher layer, then lint fails', async (file, code) => {
    expect((await problems(code, file)).some((p) => p.startsWith('boundaries/dependencies'))).toBe(true);
  });

  it.each([
    ['usecases/x.ts', "import { openStore } from '../store';\nexport const x = openStore;"],
    ['client/x.ts', "import type { processImage } from '../workflows';\nexport type X = typeof processImage;"],
    ['api/x.ts', "import { searchImages } from '../usecases/search-images';\nexport const x = searchImages;"],
  ])('when %s imports a lower layer (or a workflow as a type), then the layer rule passes', async (file, code) => {
    expect((await problems(code, file)).filter((p) => p.startsWith('boundaries/'))).toEqual([]);
  });

  it('when a client imports a workflow as a value, then lint fails (types only)', async () => {
    const found = await problems("import { processImage } from '../workflows';\nexport const x = processImage;", 'client/x.ts');
    expect(found.some((p) => p.startsWith('boundaries/dependencies'))).toBe(true);
  });
});

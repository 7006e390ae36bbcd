import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

// Tests get their own data folder and ports, so they never touch the demo's services.
const env: Record<string, string> = {
  CLUES_DATA_DIR: resolve(root, '.data/test'),
  CLUES_DB_PORT: '27118',
  CLUES_TEMPORAL_PORT: '17233',
  CLUES_TEMPORAL_UI_PORT: '18233',
  CLUES_API_PORT: '18080',
  // Each commit synced costs this machine's disk ~250 ms a save (bench:security); the tests'
  // store is thrown away. The default (on) is what runs elsewhere, and tests/backup.test.ts runs
  // its own server with it.
  CLUES_DB_SYNC_ON_COMMIT: 'off',
};
for (const [k, v] of Object.entries(env)) process.env[k] ??= v;

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // 2 cores: files run one at a time; workflow ids (image-<sha256>) are shared by all tests.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});

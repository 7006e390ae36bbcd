import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '../../core/config';
import { S3BlobStore, type S3Settings } from '../../blobs/s3-blob-store';
import { tempDir } from './fixtures';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * A real S3-compatible server for one test file: Versity's gateway over a temporary folder,
 * installed by `scripts/install-tools.sh versitygw` (the test command runs it).
 */
export async function startS3(): Promise<{ settings: S3Settings; root: string; stop(): void }> {
  const bin = join(loadConfig().root, '.tools', 'bin', 'versitygw');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run scripts/install-tools.sh versitygw`);
  const root = tempDir('s3');
  const port = await freePort();
  const settings: S3Settings = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', bucket: 'evidence-derived', prefix: 'clues', accessKeyId: 'test-access', secretAccessKey: 'test-secret-0123456789' };
  const child: ChildProcess = spawn(bin, ['--access', settings.accessKeyId, '--secret', settings.secretAccessKey, '--port', `127.0.0.1:${port}`, '--quiet', 'posix', root], { stdio: 'ignore' });
  const store = new S3BlobStore(settings);
  for (let i = 0; ; i++) {
    try {
      await store.createBucket();
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { settings, root, stop: () => child.kill('SIGTERM') };
}

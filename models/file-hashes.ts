import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface FileDigests {
  sha256: string;
  sha1: string;
  md5: string;
}

/** Cryptographic digests in one streaming pass (evidence files can be large). */
export async function fileDigests(path: string): Promise<FileDigests> {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    sha256.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
    md5.update(chunk as Buffer);
  }
  return { sha256: sha256.digest('hex'), sha1: sha1.digest('hex'), md5: md5.digest('hex') };
}

/** SHA-256 alone: the image's identity and its workflow id. */
export async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

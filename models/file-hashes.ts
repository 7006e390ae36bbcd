import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface FileDigests {
  sha256: string;
  sha1: string;
  md5: string;
}

const chunks = (src: string | Buffer): AsyncIterable<Buffer> | Buffer[] => (Buffer.isBuffer(src) ? [src] : createReadStream(src, { highWaterMark: 1 << 20 }));

/** Cryptographic digests in one streaming pass (evidence files can be large). */
export async function fileDigests(path: string | Buffer): Promise<FileDigests> {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  const md5 = createHash('md5');
  for await (const chunk of chunks(path)) {
    sha256.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
    md5.update(chunk as Buffer);
  }
  return { sha256: sha256.digest('hex'), sha1: sha1.digest('hex'), md5: md5.digest('hex') };
}

/** SHA-256 alone: the image's identity and its workflow id. */
export async function fileSha256(path: string | Buffer): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of chunks(path)) h.update(chunk);
  return h.digest('hex');
}

import { createHash } from 'node:crypto';
import { AwsClient } from 'aws4fetch';
import { assertKey, BlobNotFoundError, isKey, type BlobEntry, type BlobStore } from './blob-store';

// An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, versitygw...) through the few calls the
// pipeline needs. Requests are signed (AWS Signature Version 4) by aws4fetch, a small maintained
// signer over fetch, rather than the SDK, which brings a hundred packages for six requests.
// Path-style addressing, because on-premises stores rarely have a DNS name per bucket.

export interface S3Settings {
  /** e.g. http://10.0.0.5:9000; evidence stays on the agency's network. */
  endpoint: string;
  region: string;
  bucket: string;
  /** Key prefix inside the bucket, without slashes at either end; may be empty. */
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** RFC 3986 encoding of one path segment: only unreserved characters stay as they are. */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => XML_ENTITIES[e]!);
const tag = (xml: string, name: string) => {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return m ? unescapeXml(m[1]!) : undefined;
};

export class S3BlobStore implements BlobStore {
  private readonly base: URL;
  private readonly aws: AwsClient;

  constructor(private readonly s: S3Settings) {
    this.base = new URL(s.endpoint);
    if (!/^https?:$/.test(this.base.protocol)) throw new Error(`S3 endpoint must be http(s): ${s.endpoint}`);
    // No retries here: the callers (Temporal activities, the API's client) decide about retrying.
    this.aws = new AwsClient({ accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, service: 's3', region: s.region, retries: 0 });
  }

  get location(): string {
    return `s3://${this.s.bucket}/${this.s.prefix}`.replace(/\/$/, '') + ` at ${this.base.origin}`;
  }

  /** The key inside the bucket: the configured prefix, then ours. */
  private fullKey(key: string): string {
    return this.s.prefix ? `${this.s.prefix}/${assertKey(key)}` : assertKey(key);
  }

  private objectPath(key: string): string {
    return `/${encode(this.s.bucket)}/${this.fullKey(key).split('/').map(encode).join('/')}`;
  }

  /**
   * One signed request. The payload's SHA-256 is signed too (aws4fetch would otherwise send
   * UNSIGNED-PAYLOAD), so that a body altered on the way is refused.
   */
  private request(method: 'GET' | 'PUT' | 'HEAD' | 'DELETE', path: string, body?: Buffer, contentType?: string): Promise<Response> {
    return this.aws.fetch(new URL(path, this.base), {
      method,
      headers: {
        'x-amz-content-sha256': createHash('sha256').update(body ?? '').digest('hex'),
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      ...(body ? { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) } : {}),
      signal: AbortSignal.timeout(60_000),
    });
  }

  private async fail(what: string, res: Response): Promise<never> {
    // S3 errors are XML with a Code; the body never holds secrets, but keep the message short.
    const text = await res.text().catch(() => '');
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    throw new Error(`S3 ${what} failed: HTTP ${res.status}${code ? ` ${code}` : ''} (${this.location})`);
  }

  async put(key: string, data: Buffer, contentType = 'application/octet-stream'): Promise<void> {
    const res = await this.request('PUT', this.objectPath(key), data, contentType);
    if (!res.ok) await this.fail(`PUT ${key}`, res);
    await res.arrayBuffer();
  }

  async get(key: string): Promise<Buffer> {
    const res = await this.request('GET', this.objectPath(key));
    if (res.status === 404) {
      await res.arrayBuffer();
      throw new BlobNotFoundError(key);
    }
    if (!res.ok) await this.fail(`GET ${key}`, res);
    return Buffer.from(await res.arrayBuffer());
  }

  async has(key: string): Promise<boolean> {
    const res = await this.request('HEAD', this.objectPath(key));
    if (res.status === 404) return false;
    if (!res.ok) await this.fail(`HEAD ${key}`, res);
    return true;
  }

  async delete(key: string): Promise<void> {
    const res = await this.request('DELETE', this.objectPath(key));
    // S3 answers 204 whether or not the key was there; some servers answer 404.
    if (!res.ok && res.status !== 404) await this.fail(`DELETE ${key}`, res);
    await res.arrayBuffer();
  }

  /** ListObjectsV2, page by page (1,000 keys a page). */
  async *list(folder: string): AsyncIterable<BlobEntry> {
    const prefix = `${this.fullKey(folder)}/`;
    const strip = this.s.prefix ? this.s.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      const url = new URL(`/${encode(this.s.bucket)}`, this.base);
      url.searchParams.set('list-type', '2');
      url.searchParams.set('prefix', prefix);
      if (token) url.searchParams.set('continuation-token', token);
      const res = await this.request('GET', url.pathname + url.search);
      if (!res.ok) await this.fail(`LIST ${folder}`, res);
      const xml = await res.text();
      for (const [, item] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const key = tag(item!, 'Key');
        const modified = tag(item!, 'LastModified');
        // Only keys this interface could have written (others in the bucket are not ours to touch).
        if (key?.startsWith(prefix) && modified && isKey(key.slice(strip))) yield { key: key.slice(strip), modified: new Date(modified) };
      }
      token = tag(xml, 'IsTruncated') === 'true' ? tag(xml, 'NextContinuationToken') : undefined;
    } while (token);
  }

  /** The bucket must exist already: creating buckets is the storage team's decision, not ours. */
  async check(): Promise<void> {
    const res = await this.request('HEAD', `/${encode(this.s.bucket)}`);
    if (!res.ok) throw new Error(`S3 bucket ${this.s.bucket} is not reachable at ${this.base.origin}: HTTP ${res.status}`);
    await this.put('health/probe', Buffer.from('ok'), 'text/plain');
  }

  /** Creates the bucket (tests and the embedded demo only). */
  async createBucket(): Promise<void> {
    const res = await this.request('PUT', `/${encode(this.s.bucket)}`);
    if (!res.ok && res.status !== 409) await this.fail(`create bucket ${this.s.bucket}`, res);
    await res.arrayBuffer();
  }
}

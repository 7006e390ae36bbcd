import { createHash, createHmac } from 'node:crypto';
import { assertKey, BlobNotFoundError, type BlobStore } from './blob-store';

// An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, versitygw...) through the four calls the
// pipeline needs, signed with AWS Signature Version 4. Path-style addressing, because on-premises
// stores rarely have a DNS name per bucket. Written against the protocol rather than an SDK: the
// SDK brings a hundred packages for four requests.

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

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding, as SigV4 wants it: only unreserved characters stay as they are. */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export class S3BlobStore implements BlobStore {
  private readonly base: URL;

  constructor(private readonly s: S3Settings) {
    this.base = new URL(s.endpoint);
    if (!/^https?:$/.test(this.base.protocol)) throw new Error(`S3 endpoint must be http(s): ${s.endpoint}`);
  }

  get location(): string {
    return `s3://${this.s.bucket}/${this.s.prefix}`.replace(/\/$/, '') + ` at ${this.base.origin}`;
  }

  private objectPath(key: string): string {
    const full = this.s.prefix ? `${this.s.prefix}/${assertKey(key)}` : assertKey(key);
    return `/${encode(this.s.bucket)}/${full.split('/').map(encode).join('/')}`;
  }

  /** One signed request; the payload is hashed into the signature. */
  private async request(method: 'GET' | 'PUT' | 'HEAD', path: string, body?: Buffer, contentType?: string): Promise<Response> {
    const now = new Date();
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const payloadHash = sha256Hex(body ?? '');
    const headers: Record<string, string> = {
      host: this.base.host,
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': amzDate,
      ...(contentType ? { 'content-type': contentType } : {}),
    };
    const names = Object.keys(headers).sort();
    const canonical = [method, path, '', ...names.map((n) => `${n}:${headers[n]!.trim()}`), '', names.join(';'), payloadHash].join('\n');
    const scope = `${day}/${this.s.region}/s3/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${this.s.secretAccessKey}`, day), this.s.region), 's3'), 'aws4_request');
    const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
    const { host: _host, ...sent } = headers;
    return fetch(new URL(path, this.base), {
      method,
      headers: { ...sent, authorization: `AWS4-HMAC-SHA256 Credential=${this.s.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` },
      ...(body ? { body } : {}),
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

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKeys } from './payload-keys';

// Every payload this project hands Temporal (workflow and activity arguments and results, signals,
// queries, heartbeats, memos, failure messages and stack traces) is encrypted with AES-256-GCM
// before it leaves the process, so Temporal's database and its web UI hold no evidence in clear:
// no path, OCR text, GPS position or reason. Each payload names its key, so a rotated key
// encrypts new payloads while older keys still decrypt older histories.

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const text = (s: string) => new TextEncoder().encode(s);

export class AesGcmPayloadCodec implements PayloadCodec {
  /** `reload` reads the key file again, for a key id this process has not seen (a rotation). */
  constructor(
    private keys: PayloadKeys,
    private readonly reload?: () => PayloadKeys,
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const id = this.keys.current;
    const key = this.keys.keys.get(id)!;
    return payloads.map((p) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(id)); // a payload moved under another key id does not decrypt
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: text(ENCRYPTED_ENCODING), [KEY_ID]: text(id) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      // Payloads written before encryption was on (old histories) pass as they are.
      if (Buffer.from(p.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING) return p;
      const id = Buffer.from(p.metadata?.[KEY_ID] ?? []).toString();
      const key = this.key(id);
      const data = Buffer.from(p.data ?? []);
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error('an encrypted payload is cut short');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }

  private key(id: string): Buffer {
    let key = this.keys.keys.get(id);
    if (!key && this.reload) {
      this.keys = this.reload();
      key = this.keys.keys.get(id);
    }
    if (!key) throw new Error(`a payload is encrypted with key ${id}, which this data folder's payload key file does not hold`);
    return key;
  }
}

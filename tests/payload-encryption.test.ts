import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageWorkflowId, workerDataConverter } from '../client/temporal-client';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID } from '../client/payload-codec';
import { loadPayloadKeys, rotatePayloadKeys } from '../client/payload-keys';
import { fileSha256 } from '../models/file-hashes';
import { tempDir, textOnPhoto } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

// Issue 20, item 1: workflow histories hold no evidence in clear. Every payload Temporal stores
// is encrypted by the payload codec (AES-256-GCM, keys in the data folder), failure messages
// included; the raw history, as Temporal's database and web UI hold it, is read and searched.

let ctx: TestContext;
const dir = tempDir('encryption');

beforeAll(async () => {
  ctx = await openTestContext('encryption');
});
afterAll(async () => ctx?.close());

type Raw = temporal.api.history.v1.IHistory;
const fetchRaw = async (id: string): Promise<Raw> => ctx.client.workflow.getHandle(id).fetchHistory();

/**
 * Every payload in a history, wherever it sits (inputs, results, failures' encoded attributes,
 * heartbeats), by where it sits.
 */
function payloads(node: unknown, at = '', out: { at: string; p: temporal.api.common.v1.IPayload }[] = []) {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return out;
  const o = node as Record<string, unknown>;
  if (o.data instanceof Uint8Array && o.metadata && typeof o.metadata === 'object') out.push({ at, p: o as temporal.api.common.v1.IPayload });
  for (const [k, v] of Object.entries(o)) payloads(v, `${at}.${k}`, out);
  return out;
}
const encodingOf = (p: temporal.api.common.v1.IPayload) => Buffer.from(p.metadata?.encoding ?? []).toString();
/** Every plain string in a history: failure messages and stack traces live there when not encoded. */
function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (node && typeof node === 'object' && !(node instanceof Uint8Array)) for (const v of Object.values(node)) strings(v, out);
  return out;
}
const rawBytes = (h: Raw) => Buffer.from(temporal.api.history.v1.History.encode(temporal.api.history.v1.History.create(h)).finish());

describe('payload encryption', () => {
  it('when an image with a sign is processed, then its history holds no path, OCR word or clue in clear, every payload is encrypted, and the history replays through the codec', async () => {
    const img = await textOnPhoto('chelsea.png', 'WIVENHOE BAKERY', dir, 'secret-sign.png');
    const sha256 = await fileSha256(img);
    await ctx.withWorker((taskQueue) => ctx.client.workflow.execute('processImage', { workflowId: imageWorkflowId(sha256), taskQueue, args: [{ path: img, sha256 }], workflowIdReusePolicy: 'ALLOW_DUPLICATE' }));
    const words = (await ctx.store.images.cluesOf(sha256)).filter((c) => c.type === 'text').flatMap((c) => c.tokens);
    expect(words).toContain('wivenhoe'); // the clue exists, in the store
    const history = await fetchRaw(imageWorkflowId(sha256));
    const all = payloads(history);
    expect(all.length).toBeGreaterThan(5);
    // Only the SDK's own records of patched() stay plain (the core writes them): patch ids.
    const patchRecords = /(patch-data\.payloads\.\d+|TemporalChangeVersion)$/;
    const plain = all.filter(({ p }) => encodingOf(p) !== ENCRYPTED_ENCODING);
    expect(plain.filter(({ at }) => !patchRecords.test(at)).map(({ at, p }) => `${at}: ${Buffer.from(p.data!).toString()}`)).toEqual([]);
    for (const { p } of plain) expect(Buffer.from(p.data!).toString()).toMatch(/^(\{"id":"[a-z-]+","deprecated":(true|false)\}|\["[a-z-]+"(,"[a-z-]+")*\])$/);
    for (const { p } of all.filter(({ p }) => encodingOf(p) === ENCRYPTED_ENCODING)) expect(Buffer.from(p.metadata![KEY_ID]!).toString()).toBe(loadPayloadKeys(ctx.cfg.paths.payloadKeys).current);
    const bytes = rawBytes(history).toString('latin1').toLowerCase();
    for (const secret of [img, 'secret-sign', dir, 'wivenhoe', 'bakery']) expect(bytes, secret).not.toContain(secret.toLowerCase());
    // The workflow id is image-<sha256>: a hash, kept in clear so that a second ingest is one workflow.
    writeFileSync(join(dir, 'history.json'), JSON.stringify(history));
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: join(__dirname, '.tmp', 'workflow-bundle.js') }, dataConverter: workerDataConverter(ctx.cfg) }, history)).resolves.toBeUndefined();
  });

  it('when an image fails, then the failure reaches the client whole, and the history holds its message and stack only encrypted', async () => {
    const bad = join(dir, 'evidence-name-xyzzy.jpg');
    writeFileSync(bad, Buffer.from('not an image at all, a text file named like a photo'));
    const sha256 = await fileSha256(bad);
    const err = await ctx.withWorker((taskQueue) => ctx.client.workflow.execute('processImage', { workflowId: imageWorkflowId(sha256), taskQueue, args: [{ path: bad, sha256 }], workflowIdReusePolicy: 'ALLOW_DUPLICATE' }).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('InvalidImage');
    expect(cause.message.length).toBeGreaterThan(10); // decrypted for the client that holds the key
    const history = await fetchRaw(imageWorkflowId(sha256));
    const plain = strings(history).join('\n');
    expect(plain).not.toContain(cause.message);
    expect(plain).not.toContain('xyzzy');
    expect(rawBytes(history).toString('latin1')).not.toContain('xyzzy');
    expect(plain).toContain('Encoded failure'); // the SDK's stand-in for an encoded message
  });

  it('when the key is rotated, then new payloads use the new key and payloads of the old key still decrypt; a key the file lacks is a clear error', async () => {
    const file = join(tempDir('keys'), 'payload-keys.json');
    const before = new AesGcmPayloadCodec(loadPayloadKeys(file));
    const message = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"/evidence/a.jpg"') };
    const [old] = await before.encode([message]);
    const { current, previous, keys } = rotatePayloadKeys(file);
    expect(keys).toBe(2);
    const after = new AesGcmPayloadCodec(loadPayloadKeys(file));
    const [fresh] = await after.encode([message]);
    expect(Buffer.from(old!.metadata![KEY_ID]!).toString()).toBe(previous);
    expect(Buffer.from(fresh!.metadata![KEY_ID]!).toString()).toBe(current);
    for (const p of [old!, fresh!]) expect(Buffer.from((await after.decode([p]))[0]!.data!).toString()).toBe('"/evidence/a.jpg"');
    // A process started before the rotation reads the file again for a key id it has not seen.
    const reloading = new AesGcmPayloadCodec(loadPayloadKeys(join(tempDir('keys2'), 'k.json')), () => loadPayloadKeys(file));
    expect(Buffer.from((await reloading.decode([fresh!]))[0]!.data!).toString()).toBe('"/evidence/a.jpg"');
    const stranger = new AesGcmPayloadCodec(loadPayloadKeys(join(tempDir('keys3'), 'k.json')));
    await expect(stranger.decode([fresh!])).rejects.toThrow(/encrypted with key .* which this data folder's payload key file does not hold/);
    // Tampered bytes do not decrypt.
    const tampered = { ...fresh!, data: Buffer.from(fresh!.data!).fill(0, 20, 21) };
    await expect(after.decode([tampered])).rejects.toThrow();
    // Plain payloads (histories recorded before encryption) pass.
    expect(await after.decode([message])).toEqual([message]);
  });
});

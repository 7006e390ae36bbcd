import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ensureSecretFile } from '../core/secret-files';

// The keys of the payload codec (client/payload-codec.ts), in one JSON file in the data folder's
// secrets/ (600): every key ever used, by id, and which one encrypts. Rotating adds a key and
// makes it current; the old ones stay, so that histories written with them still decrypt.

const KeyFile = z.strictObject({
  current: z.string().regex(/^k[0-9a-z-]{1,40}$/),
  keys: z.record(z.string(), z.string().regex(/^[A-Za-z0-9_-]{43}$/)),
});

export interface PayloadKeys {
  /** The id of the key that encrypts. */
  current: string;
  keys: Map<string, Buffer>;
}

const newId = () => `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
const newKey = () => randomBytes(32).toString('base64url');

function parse(file: string, text: string): PayloadKeys {
  const parsed = KeyFile.safeParse(JSON.parse(text));
  if (!parsed.success || !parsed.data.keys[parsed.data.current]) throw new Error(`${file} is not a payload key file (current key and keys by id, 32 bytes each)`);
  return { current: parsed.data.current, keys: new Map(Object.entries(parsed.data.keys).map(([id, k]) => [id, Buffer.from(k, 'base64url')])) };
}

/** The keys, made (one key) when the file does not exist yet. */
export function loadPayloadKeys(file: string): PayloadKeys {
  return parse(file, ensureSecretFile(file, () => {
    const id = newId();
    return `${JSON.stringify({ current: id, keys: { [id]: newKey() } }, null, 2)}\n`;
  }));
}

/** Adds a key and makes it current; returns its id. Processes encrypt with it once restarted. */
export function rotatePayloadKeys(file: string): { current: string; previous: string; keys: number } {
  const before = loadPayloadKeys(file);
  const id = newId();
  const keys = Object.fromEntries([...before.keys].map(([k, v]) => [k, v.toString('base64url')]));
  keys[id] = newKey();
  writeFileSync(`${file}.new`, `${JSON.stringify({ current: id, keys }, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.new`, file);
  parse(file, readFileSync(file, 'utf8'));
  return { current: id, previous: before.current, keys: Object.keys(keys).length };
}

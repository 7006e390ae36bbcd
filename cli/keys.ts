import { userInfo } from 'node:os';
import { loadPayloadKeys, rotatePayloadKeys } from '../client/payload-keys';
import type { Config } from '../core/config';
import { withStore } from './commands';

/** `clues keys list|rotate`: the payload codec's keys (ids only; a key itself is never printed). */
export async function keysCommand(cfg: Config, sub: string | undefined, json: boolean): Promise<void> {
  if (sub === 'list') {
    const keys = loadPayloadKeys(cfg.paths.payloadKeys);
    const ids = [...keys.keys.keys()].map((id) => ({ id, current: id === keys.current }));
    console.log(json ? JSON.stringify(ids, null, 2) : ids.map((k) => `${k.id}${k.current ? '  (encrypts)' : ''}`).join('\n'));
  } else if (sub === 'rotate') {
    const r = rotatePayloadKeys(cfg.paths.payloadKeys);
    await withStore(cfg, (store) => store.audit.write({ actor: `cli:${userInfo().username}`, action: 'payload-key-rotate', target: r.current, detail: { previous: r.previous, keys: r.keys } }));
    console.log(json ? JSON.stringify(r) : `new key ${r.current}; ${r.previous} and older keys still decrypt. Restart the worker and the API (clues down && clues up) so that they encrypt with it.`);
  } else {
    throw new Error('usage: clues keys list [--json] | clues keys rotate');
  }
}

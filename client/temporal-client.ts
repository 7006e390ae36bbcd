import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type DataConverter, type LoadedDataConverter } from '@temporalio/common';
import type { Config } from '../core/config';
import { temporalConnectionOptions } from '../core/temporal-connection';

export { temporalConnectionOptions };
import { failureConverter } from '../core/failure-converter';
import { AesGcmPayloadCodec } from './payload-codec';
import { loadPayloadKeys } from './payload-keys';

/** The payload codec with this data folder's keys (made on first use). */
export function payloadCodec(cfg: Config): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(loadPayloadKeys(cfg.paths.payloadKeys), () => loadPayloadKeys(cfg.paths.payloadKeys));
}

/**
 * The failure converter as a module path, for workers (their workflow sandbox loads it by path):
 * the compiled module beside this one, or the built one when this runs from source (tests).
 */
export function failureConverterPath(cfg: Config): string {
  const here = join(__dirname, '..', 'core', 'failure-converter.js');
  try {
    return require.resolve(here);
  } catch {
    return join(cfg.root, 'dist', 'core', 'failure-converter.js');
  }
}

/** For workers and replay: payloads encrypted, failures' messages encoded then encrypted. */
export function workerDataConverter(cfg: Config): DataConverter {
  return { payloadCodecs: [payloadCodec(cfg)], failureConverterPath: failureConverterPath(cfg) };
}

/** For clients: the same converter, already loaded. */
export function clientDataConverter(cfg: Config): LoadedDataConverter {
  return { payloadConverter: defaultPayloadConverter, failureConverter, payloadCodecs: [payloadCodec(cfg)] };
}

/** The one way this project reaches Temporal from outside a worker (CLI, API). */
export async function connectClient(cfg: Config): Promise<Client> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(cfg.temporal), connectTimeout: 5000 });
  return new Client({ connection, namespace: cfg.temporal.namespace, dataConverter: clientDataConverter(cfg) });
}

export function imageWorkflowId(sha256: string): string {
  return `image-${sha256}`;
}

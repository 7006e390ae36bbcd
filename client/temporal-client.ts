import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { defaultPayloadConverter, type DataConverter, type LoadedDataConverter } from '@temporalio/common';
import type { Config } from '../core/config';
import { failureConverter } from '../core/failure-converter';
import { AesGcmPayloadCodec } from './payload-codec';
import { loadPayloadKeys } from './payload-keys';

/** Where and how to reach Temporal: with the data folder's client certificate when it has a gate. */
export function temporalConnectionOptions(t: Config['temporal']): { address: string; tls?: TLSConfig } {
  if (!t.tls) return { address: t.address };
  return {
    address: t.address,
    tls: {
      serverRootCACertificate: readFileSync(t.tls.ca),
      clientCertPair: { crt: readFileSync(t.tls.cert), key: readFileSync(t.tls.key) },
      ...(t.tls.serverName ? { serverNameOverride: t.tls.serverName } : {}),
    },
  };
}

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

import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from './config';

// Shared by every process that reaches Temporal (clients, workers, the services' probes): the
// certificate files are read when a connection is made, so a renewal at `clues up` is picked up.

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

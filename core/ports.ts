import { createServer, type Server } from 'node:net';

// A server whose port is taken must say so and stop at once. Linux lets an outgoing connection
// hold any port of the ephemeral range (32768-60999): bind then succeeds and listen fails, and a
// server that ignores the error keeps running with no listening socket.

/** The message every start-up gives for a taken port. */
export const portInUse = (port: number, host: string) =>
  `port ${port} is in use on ${host} (another program, or an outgoing connection, holds it): stop it or choose another port`;

/** A service that could not start: its message says why in full (the CLI prints it as it is). */
export class ServiceStartError extends Error {
  override readonly name = 'ServiceStartError';
}

/** Whether `port` can be listened on at `host` now (tried, then released). */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** Throws "port N is in use" for the first of `ports` that cannot be listened on. */
export async function ensurePortsFree(ports: number[], host = '127.0.0.1'): Promise<void> {
  for (const port of ports) if (!(await portFree(port, host))) throw new ServiceStartError(portInUse(port, host));
}

/** Listens, or rejects with "port N is in use" (or the bind error) without leaving the server half open. */
export function listenOrFail(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      server.off('listening', listening);
      reject(err.code === 'EADDRINUSE' ? new Error(portInUse(port, host), { cause: err }) : err);
    };
    const listening = () => {
      server.off('error', failed);
      resolve();
    };
    server.once('error', failed);
    server.once('listening', listening);
    server.listen(port, host);
  });
}

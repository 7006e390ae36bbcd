import { readdirSync, readFileSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { MongoClient } from 'mongodb';

// Run by tests/unprivileged.test.ts as another user (nobody), bundled into a folder that user
// can read: everything it tries against this project's services and data folder, and what
// happened. It is what the review did as `nobody`, and more.

interface Target {
  dbPort: number;
  temporalPort: number;
  dataDir: string;
  socket: string;
  files: string[];
}

type Outcome = { ok: true; detail?: unknown } | { ok: false; error: string };
const attempt = async (fn: () => Promise<unknown>): Promise<Outcome> => {
  try {
    return { ok: true, detail: await fn() };
  } catch (err) {
    const e = err as { code?: unknown; codeName?: unknown; message?: string };
    return { ok: false, error: `${String(e.code ?? e.codeName ?? '')} ${e.message ?? String(err)}`.trim().slice(0, 300) };
  }
};

/** One gRPC call to Temporal's frontend over HTTP/2, with or without TLS (no client certificate). */
function grpcCall(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(url, { rejectUnauthorized: false, ALPNProtocols: ['h2'] } as never);
    const timer = setTimeout(() => (session.destroy(), reject(new Error('no answer in 5 s'))), 5000);
    session.on('error', (e) => (clearTimeout(timer), reject(e)));
    const req = session.request({ ':method': 'POST', ':path': '/temporal.api.workflowservice.v1.WorkflowService/ListNamespaces', 'content-type': 'application/grpc', te: 'trailers' });
    req.on('error', (e) => (clearTimeout(timer), reject(e)));
    let status = '';
    req.on('response', (h) => (status = String(h[':status'])));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      clearTimeout(timer);
      session.close();
      const body = Buffer.concat(chunks);
      if (body.length > 5) resolve({ status, bytes: body.length });
      else reject(new Error(`no namespaces in the answer (HTTP ${status || 'none'})`));
    });
    req.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}

async function main(): Promise<void> {
  const t = JSON.parse(process.argv[2]!) as Target;
  const anon = `mongodb://127.0.0.1:${t.dbPort}/?directConnection=true&serverSelectionTimeoutMS=3000`;
  const withClient = async <T>(fn: (c: MongoClient) => Promise<T>) => {
    const c = new MongoClient(anon);
    try {
      await c.connect();
      return await fn(c);
    } finally {
      await c.close();
    }
  };
  const results: Record<string, Outcome> = {
    uid: { ok: true, detail: process.getuid?.() },
    dbListDatabases: await attempt(() => withClient((c) => c.db('admin').command({ listDatabases: 1 }))),
    dbFindTokens: await attempt(() => withClient((c) => c.db('clues').collection('tokens').find().limit(1).toArray())),
    dbInsertToken: await attempt(() => withClient((c) => c.db('clues').collection('tokens').insertOne({ _id: 'x' as never, name: 'intruder', role: 'admin' }))),
    dbCreateUser: await attempt(() => withClient((c) => c.db('admin').command({ createUser: 'intruder', pwd: 'intruder-pw-1', roles: ['root'] }))),
    temporalTlsWithoutCertificate: await attempt(() => grpcCall(`https://127.0.0.1:${t.temporalPort}`)),
    temporalPlain: await attempt(() => grpcCall(`http://127.0.0.1:${t.temporalPort}`)),
    temporalSocket: await attempt(
      () =>
        new Promise((resolve, reject) => {
          const s = netConnect(t.socket);
          s.on('connect', () => (s.destroy(), resolve('connected')));
          s.on('error', reject);
        }),
    ),
    dataFolder: await attempt(async () => readdirSync(t.dataDir)),
  };
  for (const f of t.files) results[`read ${f}`] = await attempt(async () => readFileSync(f).length);
  console.log(JSON.stringify(results));
}

void main();

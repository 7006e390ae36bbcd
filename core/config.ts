import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { projectRoot } from './project-root';

const port = z.coerce.number().int().min(1).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

const EnvSchema = z.object({
  CLUES_DATA_DIR: optionalString,
  MONGODB_URI: optionalString,
  CLUES_DB_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,48}$/).default('clues'),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  CLUES_TASK_QUEUE: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/).default('clues'),
  /** The embedded database server (SecantusDB), when MONGODB_URI is not set. */
  CLUES_DB_PORT: port.default(27017),
  CLUES_TEMPORAL_PORT: port.default(7233),
  CLUES_TEMPORAL_UI_PORT: port.optional(),
  /**
   * The embedded Temporal server runs in a network namespace of its own, reached only through a
   * mutual-TLS gate whose client certificate is in the data folder (services/temporal-gate.ts).
   * `none`: on loopback without TLS, reachable by every local user (when namespaces are refused).
   */
  CLUES_TEMPORAL_ISOLATION: z.enum(['namespace', 'none']).default('namespace'),
  /** A Temporal cluster's TLS (with TEMPORAL_ADDRESS): CA, client certificate and key files (PEM). */
  CLUES_TEMPORAL_TLS_CA: optionalString,
  CLUES_TEMPORAL_TLS_CERT: optionalString,
  CLUES_TEMPORAL_TLS_KEY: optionalString,
  CLUES_TEMPORAL_TLS_SERVER_NAME: optionalString,
  /** The payload encryption keys (default: the data folder's secrets/payload-keys.json). */
  CLUES_PAYLOAD_KEYS: optionalString,
  /** The embedded database syncs its log at every commit: an acknowledged write survives a power cut. */
  CLUES_DB_SYNC_ON_COMMIT: z.enum(['on', 'off']).default('on'),
  CLUES_API_HOST: z.string().min(1).default('127.0.0.1'),
  CLUES_API_PORT: port.default(8080),
  /**
   * Which proxies in front of the API to believe about the client's address (X-Forwarded-For):
   * a number of hops, or a comma-separated list of addresses, subnets or `loopback`,
   * `linklocal`, `uniquelocal` (Express's `trust proxy`). Unset: none, the socket's address.
   */
  CLUES_TRUST_PROXY: optionalString.pipe(
    z
      .string()
      .regex(/^(\d{1,2}|(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?))*)$/, 'a number of hops, or addresses, subnets, loopback, linklocal or uniquelocal separated by commas')
      .optional(),
  ),
  CLUES_MAX_PIXELS: z.coerce.number().int().positive().default(100_000_000),
  CLUES_WORKER_CPU_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  CLUES_WORKER_IO_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** One engine call (a stage of one image) longer than this is taken for a hang. */
  CLUES_ENGINE_TIMEOUT_S: z.coerce.number().int().min(10).max(3600).default(300),
  /** Frames or pages of one multi-page file processed as images of their own (the first included). */
  CLUES_MAX_FRAMES: z.coerce.number().int().min(1).max(1000).default(16),
  /** Decoded pixels of one image are kept at most this large (megapixels; larger images are reduced). */
  CLUES_ENGINE_MAX_DECODED_MP: z.coerce.number().min(1).max(200).default(36),
  /**
   * Engine processes per worker, at most its CPU concurrency. A model call holds its process's
   * main thread, so one process keeps one core busy; each costs its models' memory again.
   */
  CLUES_ENGINE_PROCESSES: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * Which models an engine process loads; set by the worker for each engine it starts
   * (engine/start-engine.ts): `all`, or split as `text` (OCR) and `vision` (the rest).
   */
  CLUES_ENGINE_ROLE: z.enum(['all', 'text', 'vision']).default('all'),
  /** Decoded pixels kept between the stages of an image, per engine process (MiB). */
  CLUES_ENGINE_CACHE_MIB: z.coerce.number().int().min(0).max(16_384).default(128),
  // Threads inside one model call. On two cores with two calls at once, one each is fastest
  // (measured: docs/batch.md); a machine with more cores per worker may want more.
  CLUES_ENGINE_ORT_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  CLUES_ENGINE_TFJS_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  CLUES_ENGINE_VIPS_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  /** Document OCR (tesseract) only where scene-text OCR found a document-like density of text. */
  CLUES_OCR_CASCADE: z.enum(['on', 'off']).default('on'),
  CLUES_OCR_LANGS: z.string().regex(/^[a-z_]+(\+[a-z_]+)*$/).default('eng'),
  // The public tagging view: answers and votes per minute, per token and per address.
  CLUES_TAG_RATE_PER_TOKEN: z.coerce.number().int().min(1).max(10_000).default(20),
  CLUES_TAG_RATE_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(60),
  /** Taggers' contact details are deleted this many days after the tip, or when the object closes if sooner. */
  CLUES_TAO_CONTACT_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(90),
  /** Folder under which runs started through the API may read; unset, the API starts none. */
  CLUES_IMPORT_ROOT: optionalString,
  /** Where crops, keypoint files and uploads go: a folder (default: the data folder) or s3://bucket/prefix. */
  CLUES_STORAGE: optionalString,
  CLUES_S3_ENDPOINT: optionalString,
  CLUES_S3_REGION: z.string().regex(/^[a-z0-9-]{1,32}$/).default('us-east-1'),
  CLUES_S3_ACCESS_KEY_ID: optionalString,
  CLUES_S3_SECRET_ACCESS_KEY: optionalString,
  /** Uploaded query images (similar, places) are deleted this long after they arrive. */
  CLUES_UPLOAD_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(24),
  CLUES_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type StorageConfig =
  | { kind: 'file'; root: string }
  | { kind: 's3'; endpoint: string; region: string; bucket: string; prefix: string; accessKeyId: string; secretAccessKey: string };

export interface Config {
  root: string;
  dataDir: string;
  /** Where crops, logs and pid files live. */
  /** `database`: the embedded SecantusDB's files; `ferretdb`: where an earlier version kept its data. */
  /** `secrets`: the database's password, Temporal's certificates, the payload keys (owner only). */
  paths: {
    logs: string; run: string; thumbnails: string; database: string; ferretdb: string; temporalDb: string;
    secrets: string; databasePassword: string; payloadKeys: string; temporalTls: string;
  };
  /**
   * `uri` of the embedded server carries this data folder's credential (services/database-user.ts),
   * read when asked for: `clues up` creates it; `anonymousUri` is for probes that need none.
   */
  mongo: { readonly uri: string; anonymousUri: string; dbName: string; embedded: boolean; port: number; syncOnCommit: boolean };
  /** `tls`: certificate files to reach Temporal with (the embedded gate's, or a cluster's). */
  temporal: {
    address: string; namespace: string; embedded: boolean; port: number; uiPort: number;
    isolation: 'namespace' | 'none';
    tls?: TemporalTlsFiles;
  };
  /** Light stages (load, hash, metadata, save) poll `io`; model inference polls `cpu`. */
  taskQueues: { io: string; cpu: string };
  /** `trustProxy`: Express's `trust proxy` (hops or a list), absent when no proxy is believed. */
  api: { host: string; port: number; url: string; trustProxy?: number | string };
  limits: { maxPixels: number; maxFrames: number };
  worker: { cpuConcurrency: number; ioConcurrency: number; engineTimeoutMs: number };
  engine: {
    /** Engine processes per worker (at most its CPU concurrency), and model calls in each at once. */
    processes: number;
    callsPerProcess: number;
    role: 'all' | 'text' | 'vision';
    maxDecodedPixels: number; cacheBytes: number; ortThreads: number; tfjsThreads: number; vipsThreads: number };
  ocr: { langs: string; cascade: boolean };
  /** Public tagging: writes per minute per token and per address (reads get ten times more). */
  tagRate: { perToken: number; perAddress: number };
  /** Trace an Object: days a tagger's contact details are kept at most (they go sooner when the object closes). */
  tao: { contactRetentionDays: number };
  importRoot?: string;
  /** Shared storage for derived files: every worker and API process must see the same one. */
  storage: StorageConfig;
  uploads: { ttlHours: number };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
}

export interface TemporalTlsFiles {
  ca: string;
  cert: string;
  key: string;
  serverName?: string;
}

/** The name the embedded Temporal gate's certificate is issued for (services/temporal-tls.ts). */
export const TEMPORAL_SERVER_NAME = 'clues-temporal';

/** The user the embedded database knows this data folder by (services/database-user.ts). */
export const DATABASE_USER = 'clues';

/** The embedded server's address, with this data folder's credential once `clues up` made one. */
function embeddedUri(port: number, passwordFile: string): string {
  let password = '';
  try {
    password = readFileSync(passwordFile, 'utf8').trim();
  } catch {
    /* not made yet: probes and the first start need none */
  }
  const credential = password ? `${DATABASE_USER}:${encodeURIComponent(password)}@` : '';
  return `mongodb://${credential}127.0.0.1:${port}/?directConnection=true${password ? '&authSource=admin' : ''}`;
}

export class ConfigError extends Error {}

function storageConfig(e: z.infer<typeof EnvSchema>, dataDir: string): StorageConfig {
  const target = e.CLUES_STORAGE ?? dataDir;
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(target);
  if (!target.startsWith('s3:')) return { kind: 'file', root: isAbsolute(target) ? target : resolve(target) };
  if (!s3) throw new ConfigError(`invalid configuration:\n  CLUES_STORAGE: expected s3://bucket/prefix, got ${target}`);
  const missing = (['CLUES_S3_ENDPOINT', 'CLUES_S3_ACCESS_KEY_ID', 'CLUES_S3_SECRET_ACCESS_KEY'] as const).filter((k) => !e[k]);
  if (missing.length) throw new ConfigError(`invalid configuration:\n${missing.map((k) => `  ${k}: required when CLUES_STORAGE is an s3:// address`).join('\n')}`);
  if (!/^https?:\/\/[^/]+\/?$/.test(e.CLUES_S3_ENDPOINT!)) throw new ConfigError(`invalid configuration:\n  CLUES_S3_ENDPOINT: expected http(s)://host[:port]`);
  return {
    kind: 's3',
    endpoint: e.CLUES_S3_ENDPOINT!,
    region: e.CLUES_S3_REGION,
    bucket: s3[1]!,
    prefix: (s3[2] ?? '').replace(/^\/+|\/+$/g, ''),
    accessKeyId: e.CLUES_S3_ACCESS_KEY_ID!,
    secretAccessKey: e.CLUES_S3_SECRET_ACCESS_KEY!,
  };
}

/** Reads and validates the environment once; bad config fails at start-up, not mid-run. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const root = projectRoot();
  const dataDir = e.CLUES_DATA_DIR
    ? isAbsolute(e.CLUES_DATA_DIR) ? e.CLUES_DATA_DIR : resolve(e.CLUES_DATA_DIR)
    : join(root, '.data');
  const mongoEmbedded = !e.MONGODB_URI;
  const temporalEmbedded = !e.TEMPORAL_ADDRESS;
  const apiHost = e.CLUES_API_HOST;
  const secrets = join(dataDir, 'secrets');
  const databasePassword = join(secrets, 'database-password');
  const tlsDir = join(secrets, 'temporal-tls');
  const externalTls = [e.CLUES_TEMPORAL_TLS_CA, e.CLUES_TEMPORAL_TLS_CERT, e.CLUES_TEMPORAL_TLS_KEY];
  if (externalTls.some(Boolean) && !externalTls.every(Boolean)) {
    throw new ConfigError('invalid configuration:\n  CLUES_TEMPORAL_TLS_CA, CLUES_TEMPORAL_TLS_CERT and CLUES_TEMPORAL_TLS_KEY go together');
  }
  const temporalTls: TemporalTlsFiles | undefined = !temporalEmbedded
    ? e.CLUES_TEMPORAL_TLS_CA
      ? { ca: e.CLUES_TEMPORAL_TLS_CA, cert: e.CLUES_TEMPORAL_TLS_CERT!, key: e.CLUES_TEMPORAL_TLS_KEY!, ...(e.CLUES_TEMPORAL_TLS_SERVER_NAME ? { serverName: e.CLUES_TEMPORAL_TLS_SERVER_NAME } : {}) }
      : undefined
    : e.CLUES_TEMPORAL_ISOLATION === 'namespace'
      ? { ca: join(tlsDir, 'ca.pem'), cert: join(tlsDir, 'client.pem'), key: join(tlsDir, 'client-key.pem'), serverName: TEMPORAL_SERVER_NAME }
      : undefined;
  return {
    root,
    dataDir,
    paths: {
      thumbnails: join(dataDir, 'thumbnails'),
      logs: join(dataDir, 'logs'),
      run: join(dataDir, 'run'),
      database: join(dataDir, 'secantus'),
      ferretdb: join(dataDir, 'ferretdb'),
      temporalDb: join(dataDir, 'temporal', 'temporal.sqlite'),
      secrets,
      databasePassword,
      payloadKeys: e.CLUES_PAYLOAD_KEYS ? resolve(e.CLUES_PAYLOAD_KEYS) : join(secrets, 'payload-keys.json'),
      temporalTls: tlsDir,
    },
    mongo: {
      // directConnection: the embedded server advertises a one-member replica set (transactions
      // work); the driver must not go looking for other members.
      get uri() {
        return e.MONGODB_URI ?? embeddedUri(e.CLUES_DB_PORT, databasePassword);
      },
      anonymousUri: e.MONGODB_URI ?? `mongodb://127.0.0.1:${e.CLUES_DB_PORT}/?directConnection=true`,
      dbName: e.CLUES_DB_NAME,
      embedded: mongoEmbedded,
      port: e.CLUES_DB_PORT,
      syncOnCommit: e.CLUES_DB_SYNC_ON_COMMIT === 'on',
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.CLUES_TEMPORAL_PORT}`,
      namespace: e.TEMPORAL_NAMESPACE,
      embedded: temporalEmbedded,
      port: e.CLUES_TEMPORAL_PORT,
      uiPort: e.CLUES_TEMPORAL_UI_PORT ?? e.CLUES_TEMPORAL_PORT + 1000,
      isolation: e.CLUES_TEMPORAL_ISOLATION,
      ...(temporalTls ? { tls: temporalTls } : {}),
    },
    taskQueues: { io: e.CLUES_TASK_QUEUE, cpu: `${e.CLUES_TASK_QUEUE}-cpu` },
    api: {
      host: apiHost,
      port: e.CLUES_API_PORT,
      url: `http://${apiHost}:${e.CLUES_API_PORT}`,
      ...(e.CLUES_TRUST_PROXY ? { trustProxy: /^\d+$/.test(e.CLUES_TRUST_PROXY) ? Number(e.CLUES_TRUST_PROXY) : e.CLUES_TRUST_PROXY } : {}),
    },
    limits: { maxPixels: e.CLUES_MAX_PIXELS, maxFrames: e.CLUES_MAX_FRAMES },
    worker: { cpuConcurrency: e.CLUES_WORKER_CPU_CONCURRENCY, ioConcurrency: e.CLUES_WORKER_IO_CONCURRENCY, engineTimeoutMs: e.CLUES_ENGINE_TIMEOUT_S * 1000 },
    engine: {
      maxDecodedPixels: Math.round(e.CLUES_ENGINE_MAX_DECODED_MP * 1e6),
      processes: Math.min(e.CLUES_ENGINE_PROCESSES, e.CLUES_WORKER_CPU_CONCURRENCY),
      callsPerProcess: Math.ceil(e.CLUES_WORKER_CPU_CONCURRENCY / Math.min(e.CLUES_ENGINE_PROCESSES, e.CLUES_WORKER_CPU_CONCURRENCY)),
      role: e.CLUES_ENGINE_ROLE,
      cacheBytes: e.CLUES_ENGINE_CACHE_MIB * 2 ** 20,
      ortThreads: e.CLUES_ENGINE_ORT_THREADS,
      tfjsThreads: e.CLUES_ENGINE_TFJS_THREADS,
      vipsThreads: e.CLUES_ENGINE_VIPS_THREADS,
    },
    ocr: { langs: e.CLUES_OCR_LANGS, cascade: e.CLUES_OCR_CASCADE === 'on' },
    tagRate: { perToken: e.CLUES_TAG_RATE_PER_TOKEN, perAddress: e.CLUES_TAG_RATE_PER_ADDRESS },
    tao: { contactRetentionDays: e.CLUES_TAO_CONTACT_RETENTION_DAYS },
    ...(e.CLUES_IMPORT_ROOT ? { importRoot: resolve(e.CLUES_IMPORT_ROOT) } : {}),
    storage: storageConfig(e, dataDir),
    uploads: { ttlHours: e.CLUES_UPLOAD_TTL_HOURS },
    log: { level: e.CLUES_LOG_LEVEL },
  };
}

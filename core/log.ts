import pino, { type Logger } from 'pino';
import { loadConfig } from './config';

// Structured logs: one JSON object a line, with a level, a time and the name of the part that
// wrote it. Logs are read by operators, not analysts: what evidence holds (OCR text, clue values,
// request bodies) and what opens it (tokens) must never reach them. Callers log what happened
// (ids, counts, statuses); the redaction list below is the net under that rule.

/**
 * Paths whose values are replaced by `[redacted]` wherever they are logged. A `*` matches one
 * level, so each sensitive name is listed at the top level and one level down.
 */
export const REDACTED_PATHS = [
  // Tokens: API bearer tokens and the headers that carry them, S3 secrets.
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'cookie', '*.cookie', 'headers.cookie', '*.headers.cookie',
  'token', '*.token', 'tokens', '*.tokens',
  'secretAccessKey', '*.secretAccessKey',
  // The database's credential, if a connection string is ever logged.
  'password', '*.password', 'uri', '*.uri', 'pwd', '*.pwd',
  // Request bodies (body-parser errors carry the raw body) and uploaded bytes.
  'body', '*.body', 'err.cause.body', 'rawBody', '*.rawBody',
  // Evidence: OCR text and clue values, words, crowd answers.
  'text', '*.text', 'value', '*.value', 'values', '*.values', 'words', '*.words', 'clues', '*.clues',
  'what', '*.what', 'where', '*.where', 'answer', '*.answer',
];

export const CENSOR = '[redacted]';

/** A request as logs may show it: method and path, never its query, headers or body. */
function requestSummary(req: { method?: string; path?: string; url?: string }): Record<string, unknown> {
  return { method: req.method, path: req.path ?? req.url?.split('?')[0] };
}

function configuredLevel(): string {
  try {
    return loadConfig().log.level;
  } catch {
    return 'info'; // a bad configuration is reported by the process that loads it
  }
}

// Lines go through this sink so that a test can read them; in production it is stdout, which the
// service manager (services/daemon.ts) appends to the process's log file.
let sink: { write(line: string): void } = process.stdout;

const root: Logger = pino(
  {
    level: configuredLevel(),
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
    serializers: { err: pino.stdSerializers.err, req: requestSummary },
  },
  { write: (line: string) => sink.write(line) },
);

/**
 * The logger of one part of the system, e.g. `const log = logger('api')`, then
 * `log.info({ runId }, 'run started')` or `log.error({ err }, 'internal error')`.
 */
export function logger(name: string): Logger {
  return root.child({ name });
}

/** Tests: collect the log lines written until `restore()` is called. */
export function captureLogs(): { lines(): Record<string, unknown>[]; text(): string; restore(): void } {
  const previous = sink;
  const chunks: string[] = [];
  sink = { write: (line) => void chunks.push(line) };
  return {
    lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => chunks.join(''),
    restore: () => {
      sink = previous;
    },
  };
}

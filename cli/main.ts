import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../core/config';
import { restrictFileModes } from '../core/file-permissions';
import { VicsFormatError } from '../hashsets/vics';
import { TokenNameTakenError } from '../store/api-tokens';
import { InvalidImageError } from '../models/image-loader';
import { ServiceStartError } from '../core/ports';
import { exitWhenDrained, quietOnClosedPipe } from './exit';
import { exportTaoCommand } from './export-tao';
import { exportFacesCommand, facesCommand, peopleCommand, purgeFacesCommand } from './faces';
import { backupCommand, restoreCommand } from './backup';
import { keysCommand } from './keys';
import { reindexCommand, reindexStatus } from './reindex';
import { openStore } from '../store';
import { migrateFerretdb } from './migrate';
import { UnreachableError, UserError } from './user-error';
import { whereCommand } from './where';
import { SEARCH_OPTIONS, SEARCH_USAGE, searchFromFlags } from './search-flags';
import { withStore, down, exportCommand, runCommand, runsCommand, scheduleCommand, hashesCommand, ingestCommand, placeAddCommand, placeListCommand, searchCommand, similarCommand, status, tokenCommand, up } from './commands';

const USAGE = `usage: clues <command>
  up [--temporal-ui]      start the database, Temporal, the worker and the API (reuses what runs);
                          --temporal-ui also serves Temporal's web UI, which has no login
  down                    stop them
  status                  what is running
  migrate-ferretdb        carry a data folder of an earlier version (FerretDB) into this one
  reindex [--case ID] [--json]   rebuild search terms from the stored clues, and the region index (after an upgrade:
                          \`clues status\` says when); resumable, safe to run twice
  ingest <file|dir>... [--wait] [--case ID] [--json]
  run <dir|manifest> [--case ID] [--concurrency N] [--detach] [--json]   a batch (a whole seizure)
                          a manifest: one file per line, relative to its folder (nothing outside
                          it is read) or a blob: key; # starts a comment
  run status|pause|resume|cancel <run-id>
  run failures <run-id> [--json]   every failed, partial and skipped file of a run, with its reason
  runs [--json]
  schedule add <dir> --cron "0 22 * * *" [--case ID] | schedule list | schedule delete <id>
  ${SEARCH_USAGE}
  where <sha256> [--series] [--json]                        where and when it was taken, with the evidence
  similar <image-file> [--limit N] [--case ID] [--json]   (a whole image or a crop)
  place add <image-file> --name NAME                      a reference image of a known place
  place list [--json]
  token create --name NAME --role analyst|reviewer|tagger|admin [--cases A,B]   API token, shown once;
                          --cases limits an analyst's token to those cases
  token revoke --name NAME --reason WHY | token list [--json]   (names are unique among active tokens)
  hashes import <file.json|file.csv> --name NAME [--format vics|csv]   known-hash list (Project VIC)
  hashes list [--json]
  backup <new-folder>     a consistent copy of the store, Temporal's state, the secrets and the files, while running
  restore <backup-folder> put a backup in place (after clues down; what it replaces is moved aside)
  keys list [--json] | keys rotate       the keys that encrypt Temporal payloads (docs/SECURITY.md)
  export vics --case ID [--out FILE]
  export tao --case ID [--out FILE]    Trace-an-Object objects, tips (no contact details), outcomes
  export faces --case ID [--out FILE]  the case's face descriptors and people (biometric: asked for by name)
  faces <image|sha256> [--face N] [--case ID] [--limit N] [--json]   every image with that person
  people [--case ID] [--json]          faces grouped into people, largest first
  case purge-faces <case>              delete a case's face descriptors and groups`;

async function main(argv: string[]): Promise<number> {
  restrictFileModes(); // what it writes, and the servers `up` starts, are the owner's alone
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      wait: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      case: { type: 'string' },
      ...SEARCH_OPTIONS,
      limit: { type: 'string', default: '20' },
      name: { type: 'string' },
      role: { type: 'string' },
      reason: { type: 'string' },
      cases: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      concurrency: { type: 'string' },
      detach: { type: 'boolean', default: false },
      series: { type: 'boolean', default: false },
      cron: { type: 'string' },
      face: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      'temporal-ui': { type: 'boolean', default: false },
    },
  });
  if (!command || values.help || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const cfg = loadConfig();
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UserError('--limit takes a whole number from 1 to 500');
  const caseId = values.case;
  switch (command) {
    case 'up':
      await up(cfg, { temporalUi: values['temporal-ui'] });
      return 0;
    case 'down':
      await down(cfg);
      return 0;
    case 'status':
      await status(cfg);
      for (const line of await reindexStatus(cfg, () => openStore(cfg.mongo.uri, cfg.mongo.dbName))) console.log(line);
      return 0;
    case 'reindex':
      if (positionals.length) throw new UserError('usage: clues reindex [--case ID] [--json]');
      await withStore(cfg, (store) => reindexCommand(cfg, store, { json: values.json, ...(caseId ? { caseId } : {}) }));
      return 0;
    case 'migrate-ferretdb':
      return migrateFerretdb(cfg);
    case 'ingest':
      return ingestCommand(cfg, positionals, { wait: values.wait, json: values.json, ...(caseId ? { caseId } : {}) });
    case 'search':
      await searchCommand(cfg, searchFromFlags(values), values.json);
      return 0;
    case 'similar':
      if (positionals.length !== 1) throw new Error('usage: clues similar <image-file> [--limit N] [--json]');
      await similarCommand(cfg, positionals[0]!, { limit, json: values.json, ...(caseId ? { caseId } : {}) });
      return 0;
    case 'place':
      if (positionals[0] === 'add' && positionals.length === 2 && values.name) {
        await placeAddCommand(cfg, positionals[1]!, values.name);
        return 0;
      }
      if (positionals[0] === 'list') {
        await placeListCommand(cfg, values.json);
        return 0;
      }
      throw new Error('usage: clues place add <image-file> --name NAME | clues place list [--json]');
    case 'run': {
      const concurrency = values.concurrency ? Number(values.concurrency) : undefined;
      if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)) throw new UserError('--concurrency takes a whole number from 1 to 256');
      return runCommand(cfg, positionals, { json: values.json, detach: values.detach, ...(caseId ? { caseId } : {}), ...(concurrency ? { concurrency } : {}) });
    }
    case 'schedule':
      await scheduleCommand(cfg, positionals, { json: values.json, ...(values.cron ? { cron: values.cron } : {}), ...(caseId ? { caseId } : {}) });
      return 0;
    case 'runs':
      await runsCommand(cfg, values.json);
      return 0;
    case 'hashes':
      await hashesCommand(cfg, positionals[0], positionals[1], { json: values.json, ...(values.name ? { name: values.name } : {}), ...(values.format ? { format: values.format } : {}) });
      return 0;
    case 'where':
      if (positionals.length !== 1) throw new Error('usage: clues where <sha256> [--series] [--json]');
      await withStore(cfg, (store) => whereCommand(cfg, store, positionals[0]!, { series: values.series, json: values.json }));
      return 0;
    case 'faces': {
      const face = values.face ? Number(values.face) : undefined;
      if (positionals.length !== 1 || (face !== undefined && (!Number.isInteger(face) || face < 1))) throw new Error('usage: clues faces <image|sha256> [--face N] [--case ID] [--limit N] [--json]');
      await withStore(cfg, (store) => facesCommand(cfg, store, positionals[0]!, { limit, json: values.json, ...(face ? { face } : {}), ...(caseId ? { caseId } : {}) }));
      return 0;
    }
    case 'people':
      await withStore(cfg, (store) => peopleCommand(store, { json: values.json, ...(caseId ? { caseId } : {}) }));
      return 0;
    case 'case':
      if (positionals[0] !== 'purge-faces' || positionals.length !== 2) throw new Error('usage: clues case purge-faces <case>');
      await withStore(cfg, (store) => purgeFacesCommand(store, positionals[1]!));
      return 0;
    case 'export':
      if (positionals[0] === 'faces') {
        if (!caseId) throw new Error('usage: clues export faces --case ID [--out FILE]');
        await withStore(cfg, (store) => exportFacesCommand(store, caseId, values.out));
        return 0;
      }
      if (positionals[0] === 'tao') {
        await exportTaoCommand(cfg, { ...(caseId ? { caseId } : {}), ...(values.out ? { out: values.out } : {}) });
        return 0;
      }
      await exportCommand(cfg, positionals[0], { ...(caseId ? { caseId } : {}), ...(values.out ? { out: values.out } : {}) });
      return 0;
    case 'backup':
      await backupCommand(cfg, positionals[0], values.json);
      return 0;
    case 'restore':
      await restoreCommand(cfg, positionals[0], values.json);
      return 0;
    case 'keys':
      await keysCommand(cfg, positionals[0], values.json);
      return 0;
    case 'token':
      await tokenCommand(cfg, positionals[0], { json: values.json, ...(values.name ? { name: values.name } : {}), ...(values.role ? { role: values.role } : {}), ...(values.reason ? { reason: values.reason } : {}), ...(values.cases ? { cases: values.cases.split(',').map((c) => c.trim()).filter(Boolean) } : {}) });
      return 0;
    default:
      throw new UserError(`unknown command: ${command} (clues --help lists them)`);
  }
}

quietOnClosedPipe();
const argv = process.argv.slice(2);
main(argv).then(
  (code) => exitWhenDrained(code),
  (err: unknown) => {
    const known =
      err instanceof UserError ||
      err instanceof ConfigError ||
      err instanceof TokenNameTakenError ||
      err instanceof InvalidImageError ||
      err instanceof VicsFormatError ||
      (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) ||
      (err instanceof Error && err.message.startsWith('usage:'));
    const message = err instanceof Error ? err.message : String(err);
    const oneLine = known || err instanceof UnreachableError || err instanceof ServiceStartError;
    // A script reading --json gets JSON whatever happened; a person gets one line (a stack only
    // for what is our fault).
    if (argv.includes('--json')) console.log(JSON.stringify({ error: message.split('\n')[0], exitCode: known ? 2 : 1 }));
    console.error(`clues: ${oneLine ? message : err instanceof Error ? (err.stack ?? message) : message}`);
    return exitWhenDrained(known ? 2 : 1);
  },
);

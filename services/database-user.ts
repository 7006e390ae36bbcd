import { MongoClient, MongoServerError } from 'mongodb';
import { DATABASE_USER, type Config } from '../core/config';
import { ensureSecretFile, randomSecret } from '../core/secret-files';

// The embedded SecantusDB runs with --auth (SCRAM-SHA-256): every command but the handshake and
// ping needs a user. Like mongod, it lets the first user be created without one (the localhost
// exception), and only while it has none. `clues up` creates this data folder's user that way
// right after the server answers, with a password from secrets/ (600, in the 700 data folder).
// Someone on the machine who created a user first would make our createUser fail: then we stop
// and say so, and the store is never used with a user we did not make.

export type UserOutcome = 'exists' | 'created';

const client = (uri: string) => new MongoClient(uri, { serverSelectionTimeoutMS: 5000, connectTimeoutMS: 5000 });

async function authenticates(uri: string): Promise<boolean> {
  const c = client(uri);
  try {
    await c.connect();
    await c.db('admin').command({ connectionStatus: 1 });
    return true;
  } catch (err) {
    if (err instanceof MongoServerError && err.code === 18) return false; // AuthenticationFailed
    throw err;
  } finally {
    await c.close().catch(() => undefined);
  }
}

/** The users the server knows, as seen with our credential. */
async function users(uri: string): Promise<string[]> {
  const c = client(uri);
  try {
    await c.connect();
    const res = await c.db('admin').command({ usersInfo: 1 });
    return (res.users as { user: string; db: string }[]).map((u) => `${u.db}.${u.user}`);
  } finally {
    await c.close().catch(() => undefined);
  }
}

/** Makes the password (once) and this data folder's user on the embedded server (once). */
export async function ensureDatabaseUser(cfg: Config): Promise<UserOutcome> {
  ensureSecretFile(cfg.paths.databasePassword, randomSecret);
  if (await authenticates(cfg.mongo.uri)) return 'exists';
  const password = ensureSecretFile(cfg.paths.databasePassword, randomSecret).trim();
  const anonymous = client(cfg.mongo.anonymousUri);
  try {
    await anonymous.connect();
    await anonymous.db('admin').command({ createUser: DATABASE_USER, pwd: password, roles: [{ role: 'root', db: 'admin' }] });
  } catch (err) {
    if (err instanceof MongoServerError && err.code === 13) {
      throw new Error(
        `the database in ${cfg.paths.database} has users, and ${cfg.paths.databasePassword} opens none of them: ` +
          'the password file was replaced or removed, or someone else created the first user. It was not used. ' +
          'Restore the password file from a backup (clues backup keeps it), or move the database folder away to start afresh.',
        { cause: err },
      );
    }
    throw err;
  } finally {
    await anonymous.close().catch(() => undefined);
  }
  const known = await users(cfg.mongo.uri);
  if (known.length !== 1 || known[0] !== `admin.${DATABASE_USER}`) {
    throw new Error(`the database has users besides this data folder's own (${known.join(', ')}): someone else created them; it was not used`);
  }
  return 'created';
}

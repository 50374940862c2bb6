/**
 * `npm run admin -- create-user <username> --role <player|moderator|designer|admin> [--password <password>]`
 * `npm run admin -- migrate` (brings the schema up to date and exits; a deployment runs it
 * once before its server replicas start)
 *
 * Creates an account in the configured database (DATABASE_URL, or the embedded PGlite in
 * DATA_DIR — which must not be in use by a running server; use `POST /api/admin/accounts`
 * then). Without --password a strong one is generated and printed once.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AccountError, Accounts } from './auth/accounts.js';
import { loadConfig } from './config.js';
import { DataDirInUseError, openDatabase } from './db/database.js';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { role: { type: 'string' }, password: { type: 'string' } },
  });
  const [command, username] = positionals;
  if (command !== 'migrate' && (command !== 'create-user' || !username || !values.role)) {
    console.error('usage: npm run admin -- create-user <username> --role <player|moderator|designer|admin> [--password <password>]\n'
      + '       npm run admin -- migrate');
    process.exit(2);
  }
  const config = loadConfig();
  let db;
  try {
    db = await openDatabase({ url: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite') });
  } catch (err) {
    if (err instanceof DataDirInUseError) {
      throw new Error(`${err.message}: stop the server first, or create the account with POST /api/admin/accounts as an admin`);
    }
    throw err;
  }
  if (command === 'migrate') {
    const applied = db.appliedMigrations;
    console.log(applied.length ? `applied ${applied.join(', ')}` : 'schema up to date');
    await db.close();
    return;
  }
  try {
    const password = values.password ?? randomBytes(12).toString('base64url');
    const accounts = await Accounts.open(db.prisma);
    const created = await accounts.create(username!, password, values.role!);
    console.log(`created ${created.role} ${created.username}${values.password ? '' : ` with password ${password}`}`);
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof AccountError || err instanceof Error ? err.message : String(err));
  process.exit(1);
});

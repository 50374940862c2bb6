// Applies the committed Prisma migrations at start-up, as `prisma migrate deploy`
// would (its native engine cannot be installed offline): same advisory lock,
// same `_prisma_migrations` table and rows, so Prisma's own tools agree afterwards.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** Prisma Migrate's advisory lock key. */
export const MIGRATE_LOCK_KEY = 72707369;
/** The repository's `prisma/migrations` folder. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

/** Prisma's DDL for the history table, verbatim. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

export interface MigrationScript {
  /** Folder name, `<timestamp>_<name>`. */
  name: string;
  /** migration.sql as committed. */
  script: string;
  /** sha256 hex of the file, as Prisma stores it. */
  checksum: string;
}

export interface ApplyMigrationsOptions {
  migrationsDir?: string;
  /** How long to wait for another process's migration lock (default 10 s, as Prisma). */
  lockTimeoutMs?: number;
  /** Receives warnings, e.g. an applied migration whose file was edited afterwards. */
  warn?: (message: string) => void;
}

/** A migration failed, or an earlier one is recorded as failed. */
export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/** Prisma accepts a checksum of the script with LF or CRLF line endings (git may convert them). */
function checksumMatches(script: string, checksum: string): boolean {
  const lf = script.replace(/\r\n/g, '\n');
  return [script, lf, lf.replace(/\n/g, '\r\n')].some((variant) => migrationChecksum(variant) === checksum);
}

/**
 * Lists the committed migrations in the order Prisma applies them.
 * @throws {MigrationError} when the lock file names another provider or a migration.sql is missing.
 */
export async function readMigrations(migrationsDir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationScript[]> {
  const lock = await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8').catch(() => null);
  if (lock !== null) {
    const provider = lock
      .split('\n')
      .find((line) => line.startsWith('provider'))
      ?.replace(/^provider = /, '')
      .replace(/^"|"$/g, '')
      .trim();
    if (provider !== 'postgresql') {
      throw new MigrationError(`${migrationsDir}/migration_lock.toml is for provider "${provider}", not "postgresql"`);
    }
  }
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  names.sort((a, b) => a.localeCompare(b));
  return Promise.all(
    names.map(async (name) => {
      const file = join(migrationsDir, name, 'migration.sql');
      const script = await readFile(file, 'utf8').catch((err: Error) => {
        throw new MigrationError(`Failed to read migration script at ${file}: ${err.message}`);
      });
      return { name, script, checksum: migrationChecksum(script) };
    }),
  );
}

/**
 * Prisma writes `BEGIN;`/`COMMIT;` into some scripts (enum changes); we run each
 * migration in a transaction of our own instead.
 */
export function stripTransactionStatements(script: string): string {
  return script
    .split('\n')
    .filter((line) => !/^\s*(BEGIN|COMMIT)\s*;\s*$/i.test(line.replace(/\r$/, '')))
    .join('\n');
}

interface HistoryRow {
  id: string;
  checksum: string;
  migration_name: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

function describeDbError(err: unknown): { code: string; text: string } {
  const e = err as { code?: unknown; message?: unknown; detail?: unknown; hint?: unknown };
  const code = typeof e.code === 'string' ? e.code : 'none';
  const parts = [String(e.message ?? err)];
  if (typeof e.detail === 'string') parts.push(`DETAIL: ${e.detail}`);
  if (typeof e.hint === 'string') parts.push(`HINT: ${e.hint}`);
  return { code, text: parts.join('\n') };
}

async function historyTableExists(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname = current_schema()`,
  );
  if (rows.some((r) => r.name === '_prisma_migrations')) return true;
  if (rows.length > 0) {
    // Same refusal as Prisma (P3005): we would not know which migrations the existing tables reflect.
    throw new MigrationError(
      `The database schema is not empty (tables: ${rows.map((r) => r.name).join(', ')}) and has no ` +
        `_prisma_migrations table. Baseline it first: https://pris.ly/d/migrate-baseline`,
    );
  }
  return false;
}

async function acquireLock(client: pg.ClientBase, timeoutMs: number): Promise<void> {
  await client.query('BEGIN');
  try {
    // SET LOCAL scopes the timeout to this wait; the session-level lock outlives the commit.
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    await client.query(`SELECT pg_advisory_lock(${MIGRATE_LOCK_KEY})`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if ((err as { code?: unknown }).code !== '57014') throw err; // 57014: canceled by statement_timeout
    throw new MigrationError(
      `Timed out after ${timeoutMs} ms waiting for the migration lock (pg_advisory_lock(${MIGRATE_LOCK_KEY})): another process is migrating`,
      { cause: err },
    );
  }
}

/**
 * Applies the pending committed migrations, each in its own transaction,
 * under Prisma's advisory lock. Rows in `_prisma_migrations` match what
 * `prisma migrate deploy` writes; a failed migration is rolled back and
 * recorded as failed (with its logs), which blocks later runs as in Prisma.
 * @param connection a `pg` connection (config or URL) to the target database.
 * @returns the names of the migrations applied now, oldest first (empty when up to date).
 * @throws {MigrationError} when a migration fails, one is recorded as failed, or the schema holds unmanaged tables.
 * @throws on connection errors.
 */
export async function applyMigrations(
  connection: pg.ClientConfig | string,
  opts: ApplyMigrationsOptions = {},
): Promise<string[]> {
  const migrations = await readMigrations(opts.migrationsDir);
  const client = new pg.Client(connection);
  // A connection lost mid-run surfaces through the next query; don't crash on the event.
  client.on('error', () => {});
  await client.connect();
  let locked = false;
  try {
    await acquireLock(client, opts.lockTimeoutMs ?? 10_000);
    locked = true;
    if (!(await historyTableExists(client))) await client.query(CREATE_MIGRATIONS_TABLE);

    const { rows: history } = await client.query<HistoryRow>(
      'SELECT id, checksum, migration_name, started_at, finished_at, rolled_back_at, logs FROM _prisma_migrations ORDER BY started_at',
    );
    const failed = history.filter((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed.length > 0) {
      const details = failed
        .map((r) => `The \`${r.migration_name}\` migration started at ${r.started_at.toISOString()} failed${r.logs?.trim() ? ` with the following logs:\n${r.logs.trim()}` : ''}`)
        .join('\n');
      throw new MigrationError(
        `Found failed migrations in the target database; new migrations will not be applied.\n${details}\n` +
          `After fixing the cause, mark it rolled back (what \`prisma migrate resolve --rolled-back\` does): ` +
          `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id IN (${failed.map((r) => `'${r.id}'`).join(', ')});`,
      );
    }

    const applied = new Map(history.filter((r) => r.rolled_back_at === null).map((r) => [r.migration_name, r]));
    for (const m of migrations) {
      const row = applied.get(m.name);
      if (row && !checksumMatches(m.script, row.checksum)) {
        opts.warn?.(`migration ${m.name} was modified after it was applied (checksum differs)`);
      }
    }

    const names: string[] = [];
    for (const m of migrations.filter((m) => !applied.has(m.name))) {
      const id = randomUUID();
      // Prisma's sequence: row started, script, one successful step, finished.
      // Unlike Prisma, the row commits with the script, so a crash leaves no half-applied state.
      await client.query('BEGIN');
      try {
        await client.query('INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name) VALUES ($1, $2, $3, $4)', [
          id,
          m.checksum,
          new Date(),
          m.name,
        ]);
        await client.query(stripTransactionStatements(m.script));
        await client.query('UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1 WHERE id = $1', [id]);
        await client.query('UPDATE _prisma_migrations SET finished_at = $1 WHERE id = $2', [new Date(), id]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const { code, text } = describeDbError(err);
        const logs = `Migration name: ${m.name}\n\nDatabase error code: ${code}\n\nDatabase error:\n${text}`;
        // Recorded as Prisma records a failure, so the next start (or Prisma) refuses until resolved.
        await client
          .query('INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name, logs) VALUES ($1, $2, $3, $4, $5)', [
            id,
            m.checksum,
            new Date(),
            m.name,
            logs,
          ])
          .catch(() => undefined);
        throw new MigrationError(`A migration failed to apply; it was rolled back.\n\n${logs}`, { cause: err });
      }
      names.push(m.name);
    }
    return names;
  } finally {
    // PGlite has a single session shared by every connection: release explicitly.
    if (locked) await client.query(`SELECT pg_advisory_unlock(${MIGRATE_LOCK_KEY})`).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

import { resolve } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { lockDataDir, type DataDirLock } from './lockfile.js';
import { applyMigrations } from './migrate.js';
import { startPgliteServer, type PgliteServer } from './pglite.js';
import { poolSqlClient, type SqlClient } from './sql.js';
import { log } from '../log.js';

const dbLog = log.child({ component: 'db' });

export { DataDirInUseError } from './lockfile.js';
export { MigrationError } from './migrate.js';
export type { PrismaClient } from '../generated/prisma/client.js';

export const DEFAULT_DATA_DIR = './data/pglite';

export interface OpenDatabaseOptions {
  /** `postgres://` or `postgresql://` URL; when absent (or empty) an embedded PGlite is used. */
  url?: string | undefined;
  /** PGlite data folder (default `./data/pglite`); ignored with `url`. */
  dataDir?: string | undefined;
  /** Committed migrations to apply (default: the repository's `prisma/migrations`). */
  migrationsDir?: string | undefined;
  /** Connection pool size (default 4 for PGlite, which runs one query at a time anyway; 10 for PostgreSQL). */
  poolSize?: number | undefined;
  /** Warnings from start-up (edited migrations) and idle-connection errors. */
  warn?: ((message: string) => void) | undefined;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly prisma: PrismaClient;
  /** Plain SQL on the same connections, for the write-behind queue's bulk statements (see sql.ts). */
  readonly sql: SqlClient;
  /** Migrations applied by this open, oldest first; empty when the schema was up to date. */
  readonly appliedMigrations: string[];
  /** Where to connect with any PostgreSQL client (for PGlite: its private unix socket, valid until close). */
  readonly url: string;
  /** The PGlite data folder (absolute), for `kind: 'pglite'`. */
  readonly dataDir?: string;
  /** True when a trivial query succeeds within `timeoutMs` (default 2 s); never throws. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Disconnects, stops PGlite and releases the data folder; idempotent. */
  close(): Promise<void>;
}

function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** One pg pool for Prisma's adapter and for {@link Database.sql}; ended when Prisma disconnects. */
function connect(config: pg.PoolConfig, warn: (message: string) => void): { prisma: PrismaClient; sql: SqlClient } {
  // A connection attempt that hangs (a server that stopped answering) fails instead of waiting forever.
  const pool = new pg.Pool({ connectionTimeoutMillis: 10_000, ...config });
  const adapter = new PrismaPg(pool, { onPoolError: (err) => warn(`idle connection error: ${err.message}`), disposeExternalPool: true });
  return { prisma: new PrismaClient({ adapter }), sql: poolSqlClient(pool) };
}

function makeDatabase(
  kind: Database['kind'],
  { prisma, sql }: { prisma: PrismaClient; sql: SqlClient },
  appliedMigrations: string[],
  url: string,
  cleanup: () => Promise<void>,
  dataDir?: string,
): Database {
  let closing: Promise<void> | undefined;
  const db: Database = {
    kind,
    prisma,
    sql,
    appliedMigrations,
    url,
    ...(dataDir === undefined ? {} : { dataDir }),
    ping: (timeoutMs) => sql.ping(timeoutMs),
    close() {
      closing ??= (async () => {
        try {
          await prisma.$disconnect();
        } finally {
          await cleanup();
        }
      })();
      return closing;
    },
  };
  return db;
}

/**
 * Opens the game's database and brings its schema up to date.
 *
 * With `url`, connects to that PostgreSQL server. Without, starts an embedded
 * PGlite persisted in `dataDir`, reachable only through a unix socket in a
 * private 0700 temp folder; a lock file in `dataDir` keeps a second process out
 * (a lock left by a dead process is taken over).
 * @throws {DataDirInUseError} when another live process uses `dataDir`.
 * @throws {MigrationError} when a migration fails or an earlier one is recorded as failed.
 * @throws when `url` is not a PostgreSQL URL, or the server cannot be reached.
 */
export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  const warn = opts.warn ?? ((message: string) => dbLog.warn(message));
  const url = opts.url?.trim() ? opts.url.trim() : undefined;

  if (url !== undefined) {
    if (!isPostgresUrl(url)) throw new Error(`database URL must start with postgres:// or postgresql:// (got ${redact(url)})`);
    const applied = await applyMigrations(url, { migrationsDir: opts.migrationsDir, warn });
    return makeDatabase('postgres', connect({ connectionString: url, max: opts.poolSize ?? 10 }, warn), applied, url, async () => {});
  }

  const dataDir = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
  const poolSize = opts.poolSize ?? 4;
  const lock: DataDirLock = await lockDataDir(dataDir);
  let server: PgliteServer | undefined;
  try {
    // pg's pool replaces a connection after each SQL error, before the old socket is gone.
    server = await startPgliteServer({ dataDir, maxConnections: poolSize + 4 });
    const applied = await applyMigrations(server.connection, { migrationsDir: opts.migrationsDir, warn });
    const started = server;
    return makeDatabase(
      'pglite',
      connect({ ...server.connection, max: poolSize }, warn),
      applied,
      server.url,
      async () => {
        try {
          await started.stop();
        } finally {
          await lock.release();
        }
      },
      dataDir,
    );
  } catch (err) {
    await server?.stop().catch(() => undefined);
    await lock.release();
    throw err;
  }
}

import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** Port number only names the socket file (`.s.PGSQL.<port>`), as libpq does. */
const SOCKET_PORT = 5432;

/** An embedded PGlite served over the PostgreSQL wire protocol on a private unix socket. */
export interface PgliteServer {
  readonly db: PGlite;
  /** 0700 folder holding the socket; pass it as `host` to `pg`. */
  readonly socketDir: string;
  /** Connection settings for `pg` / `PrismaPg` (add `max`). */
  readonly connection: { host: string; port: number; user: string; database: string };
  /** `postgresql://` URL with the socket folder as `host` query parameter. */
  readonly url: string;
  /** Stops the socket server, closes PGlite and removes the socket folder. */
  stop(): Promise<void>;
}

export interface StartPgliteOptions {
  /** Folder PGlite persists to; in memory when omitted. */
  dataDir?: string;
  /** Socket connections accepted at once; must be at least the pool size + 2. */
  maxConnections?: number;
}

/**
 * Starts PGlite and serves it on a unix socket in a fresh 0700 temp folder, so
 * only this user can connect and nothing listens on the network.
 * @throws if PGlite cannot open `dataDir` or the socket cannot be bound.
 */
export async function startPgliteServer(opts: StartPgliteOptions = {}): Promise<PgliteServer> {
  const socketDir = await mkdtemp(join(tmpdir(), 'pulse-pglite-'));
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    await chmod(socketDir, 0o700);
    db = opts.dataDir === undefined ? await PGlite.create() : await PGlite.create(opts.dataDir);
    server = new PGLiteSocketServer({
      db,
      path: join(socketDir, `.s.PGSQL.${SOCKET_PORT}`),
      maxConnections: opts.maxConnections ?? 8,
    });
    await server.start();
  } catch (err) {
    await server?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await rm(socketDir, { recursive: true, force: true });
    throw err;
  }
  const started = server;
  const startedDb = db;
  let stopping: Promise<void> | undefined;
  return {
    db: startedDb,
    socketDir,
    connection: { host: socketDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' },
    url: `postgresql://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(socketDir)}`,
    stop() {
      stopping ??= (async () => {
        try {
          await started.stop();
        } finally {
          try {
            await startedDb.close();
          } finally {
            await rm(socketDir, { recursive: true, force: true });
          }
        }
      })();
      return stopping;
    },
  };
}

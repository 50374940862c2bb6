import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database, type OpenDatabaseOptions } from '../../server/src/db/database.js';

/** One database implementation the suite runs against. */
export interface Implementation {
  name: string;
  kind: 'pglite' | 'postgres';
  /** Why it is skipped, when it is. */
  skipReason?: string;
  /** Makes an empty database and returns how to open it; `dispose` removes it. */
  create(): Promise<{ open(extra?: Partial<OpenDatabaseOptions>): Promise<Database>; dispose(): Promise<void>; url?: string }>;
}

const TEST_URL = process.env['TEST_DATABASE_URL']?.trim() || undefined;

/** Runs CREATE/DROP DATABASE on the test server (through its `postgres` database if TEST_DATABASE_URL's is missing). */
async function adminQuery(sql: string): Promise<void> {
  for (const url of [TEST_URL!, Object.assign(new URL(TEST_URL!), { pathname: '/postgres' }).toString()]) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
    } catch (err) {
      if ((err as { code?: string }).code === '3D000') continue; // database does not exist
      throw err;
    }
    try {
      await client.query(sql);
      return;
    } finally {
      await client.end();
    }
  }
  throw new Error(`cannot reach the test server through ${TEST_URL}`);
}

export const implementations: Implementation[] = [
  {
    name: 'PGlite (embedded)',
    kind: 'pglite',
    async create() {
      const dataDir = await mkdtemp(join(tmpdir(), 'pulse-test-pglite-'));
      return {
        open: (extra) => openDatabase({ dataDir, warn: () => {}, ...extra }),
        dispose: () => rm(dataDir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'PostgreSQL (TEST_DATABASE_URL)',
    kind: 'postgres',
    ...(TEST_URL ? {} : { skipReason: 'TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)' }),
    async create() {
      // A database of its own per run: parallel runs and leftovers never collide.
      const name = `pulse_test_${randomBytes(6).toString('hex')}`;
      await adminQuery(`CREATE DATABASE ${name}`);
      const url = new URL(TEST_URL!);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        open: (extra) => openDatabase({ url: url.toString(), warn: () => {}, ...extra }),
        dispose: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      };
    },
  },
];

/** Where a `pg` client reaches a Database: socket path or TCP host/port, user, database. */
export function endpointOf(db: Database): { path?: string; host?: string; port: number; user: string; database: string } {
  const u = new URL(db.url);
  const port = Number(u.port || 5432);
  const user = decodeURIComponent(u.username || 'postgres');
  const database = decodeURIComponent(u.pathname.slice(1) || 'postgres');
  const socketDir = u.searchParams.get('host');
  return socketDir ? { path: join(socketDir, `.s.PGSQL.${port}`), port, user, database } : { host: u.hostname, port, user, database };
}

/**
 * A TCP proxy in front of a database that can be switched off (connections cut
 * and refused) to simulate an outage, and whose target may change (restart).
 */
export class OutageProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  up = true;
  port = 0;

  constructor(private readonly target: () => { path?: string; host?: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (!this.up) return void client.destroy();
      const t = this.target();
      const upstream = t.path ? createConnection(t.path) : createConnection(t.port, t.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((res) => this.server!.listen(0, '127.0.0.1', res));
    this.port = (this.server!.address() as { port: number }).port;
  }

  /** Cuts every connection and refuses new ones until `restore()`. */
  cut(): void {
    this.up = false;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.up = true;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((res) => (this.server ? this.server.close(() => res()) : res()));
  }
}

/**
 * Worker thread that owns the embedded PGlite and serves it on a unix socket. PGlite runs
 * PostgreSQL as WebAssembly on whatever thread calls it; here that thread is not the game
 * loop's, so queries never stall a tick.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { batchAwareDb } from './pgliteBatches.js';

export interface PgliteWorkerInit {
  dataDir: string | undefined;
  socketPath: string;
  maxConnections: number;
  /** Only create the database in `dataDir` (initdb), then close and exit: see startPgliteServer. */
  initOnly: boolean;
}

/**
 * PostgreSQL settings of the embedded database. shared_buffers: PGlite's default is 128 MB,
 * held in the process's memory once touched; an embedded game database is small and its
 * files sit in the OS page cache anyway. Measured here: an existing data folder opens at
 * 351 MB RSS with 128 MB, 223 MB with 16 MB.
 */
const SETTINGS = ['shared_buffers=32MB'];

export type PgliteWorkerMessage = { type: 'ready' } | { type: 'error'; message: string } | { type: 'stopped' };

const init = workerData as PgliteWorkerInit;
const port = parentPort!;
const send = (m: PgliteWorkerMessage) => port.postMessage(m);

let db: PGlite | undefined;
let server: PGLiteSocketServer | undefined;
try {
  const startParams = [...PGlite.defaultStartParams, ...SETTINGS.flatMap((setting) => ['-c', setting])];
  db = await PGlite.create(init.dataDir, { startParams });
  if (init.initOnly) {
    await db.close(); // the parent terminates this worker once it reads 'ready'
  } else {
    server = new PGLiteSocketServer({ db: batchAwareDb(db), path: init.socketPath, maxConnections: init.maxConnections });
    await server.start();
  }
  send({ type: 'ready' });
} catch (err) {
  await server?.stop().catch(() => undefined);
  await db?.close().catch(() => undefined);
  send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

port.on('message', (m: { type: 'stop' }) => {
  if (m.type !== 'stop') return;
  void (async () => {
    try {
      await server?.stop();
    } finally {
      await db?.close();
      send({ type: 'stopped' });
      port.close();
    }
  })();
});

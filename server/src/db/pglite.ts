import { access, chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../workers.js';
import type { PgliteWorkerInit, PgliteWorkerMessage } from './pgliteWorker.js';

/** Port number only names the socket file (`.s.PGSQL.<port>`), as libpq does. */
const SOCKET_PORT = 5432;
/** A stop that takes longer than this (a wedged query) ends with the worker terminated. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * An embedded PGlite served over the PostgreSQL wire protocol on a private unix socket,
 * from its own worker thread (see pgliteWorker.ts).
 */
export interface PgliteServer {
  /** 0700 folder holding the socket; pass it as `host` to `pg`. */
  readonly socketDir: string;
  /** Connection settings for `pg` / `PrismaPg` (add `max`). */
  readonly connection: { host: string; port: number; user: string; database: string };
  /** `postgresql://` URL with the socket folder as `host` query parameter. */
  readonly url: string;
  /** Stops the socket server, closes PGlite, ends the worker and removes the socket folder. */
  stop(): Promise<void>;
}

export interface StartPgliteOptions {
  /** Folder PGlite persists to; in memory when omitted. */
  dataDir?: string;
  /** Socket connections accepted at once; must be at least the pool size + 2. */
  maxConnections?: number;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

/** Waits for a worker's first message; @throws unless it is 'ready'. */
async function ready(worker: Worker): Promise<void> {
  const first = await nextMessage(worker);
  if (first.type !== 'ready') throw new Error(first.type === 'error' ? first.message : `unexpected ${first.type}`);
}

function nextMessage(worker: Worker): Promise<PgliteWorkerMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: PgliteWorkerMessage) => { cleanup(); resolve(m); };
    const onError = (err: Error) => { cleanup(); reject(err); };
    const onExit = (code: number) => { cleanup(); reject(new Error(`PGlite worker exited with code ${code}`)); };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * Starts PGlite in a worker thread and serves it on a unix socket in a fresh 0700 temp
 * folder, so only this user can connect, nothing listens on the network, and queries run
 * off the game loop's thread.
 * @throws if PGlite cannot open `dataDir` or the socket cannot be bound.
 */
export async function startPgliteServer(opts: StartPgliteOptions = {}): Promise<PgliteServer> {
  const socketDir = await mkdtemp(join(tmpdir(), 'pulse-pglite-'));
  let worker: Worker | undefined;
  try {
    await chmod(socketDir, 0o700);
    const init: PgliteWorkerInit = {
      dataDir: opts.dataDir,
      socketPath: join(socketDir, `.s.PGSQL.${SOCKET_PORT}`),
      maxConnections: opts.maxConnections ?? 8,
      initOnly: false,
    };
    // A new data folder is created (initdb) by a worker of its own that then exits: initdb
    // grows WebAssembly memory that is never given back (~800 MB RSS measured here, against
    // ~250 MB for a server that opens an existing folder), and a worker's memory goes with it.
    if (opts.dataDir !== undefined && !(await exists(join(opts.dataDir, 'PG_VERSION')))) {
      const creator = spawnModuleWorker(new URL('./pgliteWorker.ts', import.meta.url), { ...init, initOnly: true }, 'pulse-pglite-init');
      try {
        await ready(creator);
      } finally {
        await creator.terminate();
      }
    }
    worker = spawnModuleWorker(new URL('./pgliteWorker.ts', import.meta.url), init, 'pulse-pglite');
    await ready(worker);
  } catch (err) {
    await worker?.terminate();
    await rm(socketDir, { recursive: true, force: true });
    throw err;
  }
  const running = worker;
  let stopping: Promise<void> | undefined;
  return {
    socketDir,
    connection: { host: socketDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' },
    url: `postgresql://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(socketDir)}`,
    stop() {
      stopping ??= (async () => {
        try {
          const stopped = nextMessage(running).catch(() => undefined);
          running.postMessage({ type: 'stop' });
          const timer = setTimeout(() => void running.terminate(), STOP_TIMEOUT_MS);
          await stopped;
          clearTimeout(timer);
          await running.terminate();
        } finally {
          await rm(socketDir, { recursive: true, force: true });
        }
      })();
      return stopping;
    },
  };
}

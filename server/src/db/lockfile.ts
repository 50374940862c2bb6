import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** Lock file name inside a PGlite data folder (PostgreSQL ignores unknown files there). */
export const LOCK_FILE_NAME = 'pulse-arena.lock';

interface LockInfo {
  pid: number;
  hostname: string;
  token: string;
  startedAt: string;
}

/** Another live process (or this one) already uses the data folder. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly host: string,
    readonly lockPath: string,
  ) {
    const where = host === hostname() ? '' : ` on host ${host} (cannot check it from here; delete ${lockPath} if it no longer runs)`;
    super(`data folder ${dataDir} is in use by pid ${pid}${where}`);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still ours; idempotent. */
  release(): Promise<void>;
}

/** Locks held by this process, so a pid match is told apart from a recycled pid. */
const heldTokens = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<LockInfo | null> {
  try {
    const info = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    if (typeof info.pid !== 'number' || typeof info.hostname !== 'string' || typeof info.token !== 'string') return null;
    return info as LockInfo;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    return null; // unreadable or half-written: treated as stale
  }
}

/** Whether the lock's owner still runs. Same host only; a foreign host's lock counts as held. */
function isHeld(lock: LockInfo): boolean {
  if (lock.hostname !== hostname()) return true;
  if (lock.pid === process.pid) return heldTokens.has(lock.token); // else: our pid reused after a restart (containers)
  return pidAlive(lock.pid);
}

/**
 * Takes the lock file of a data folder (creating the folder), so that two
 * server processes never open the same PGlite files. A lock left by a dead
 * process is taken over.
 * @throws {DataDirInUseError} when a live process holds the folder.
 * @throws on file-system errors (permissions, read-only disk).
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  const path = join(dir, LOCK_FILE_NAME);
  const takeover = `${path}.takeover`;
  const mine: LockInfo = { pid: process.pid, hostname: hostname(), token: randomUUID(), startedAt: new Date().toISOString() };

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Written in full beside it, then linked in: a lock file is never seen half-written.
    const draft = `${path}.${mine.token}.draft`;
    await writeFile(draft, JSON.stringify(mine) + '\n', { mode: 0o644 });
    let created = false;
    try {
      await link(draft, path);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await unlink(draft).catch(() => undefined);
    }
    if (created) {
      heldTokens.add(mine.token);
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          heldTokens.delete(mine.token);
          const current = await readLock(path).catch(() => null);
          if (current?.token === mine.token) await unlink(path).catch(() => undefined);
        },
      };
    }
    let existing: LockInfo | null;
    try {
      existing = await readLock(path);
    } catch {
      continue; // vanished meanwhile: try again
    }
    if (existing && isHeld(existing)) throw new DataDirInUseError(dir, existing.pid, existing.hostname, path);
    // Stale (or unreadable). Only the holder of the takeover file may remove it: with it held,
    // nobody else removes the lock, and nobody can create one while the stale one is there,
    // so the file checked is the file removed.
    const handle = await open(takeover, 'wx').catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      return null;
    });
    if (!handle) {
      // Another taker is removing it; a takeover file this old was left by a crashed taker.
      const st = await stat(takeover).catch(() => null);
      if (st && Date.now() - st.mtimeMs > STALE_TAKEOVER_MS) await unlink(takeover).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      continue;
    }
    try {
      const again = await readLock(path).then((l) => l?.token ?? null, () => undefined);
      if (again !== undefined && again === (existing?.token ?? null)) await unlink(path).catch(() => undefined);
    } finally {
      await handle.close();
      await unlink(takeover).catch(() => undefined);
    }
  }
  throw new Error(`could not take the lock ${path}: it keeps changing`);
}

/** Tries before giving up: concurrent takers wait on each other's takeover a few times. */
const MAX_ATTEMPTS = 50;
/** A takeover takes milliseconds; one older than this was abandoned by a crash. */
const STALE_TAKEOVER_MS = 10_000;

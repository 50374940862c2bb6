import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
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
  const mine: LockInfo = { pid: process.pid, hostname: hostname(), token: randomUUID(), startedAt: new Date().toISOString() };

  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      try {
        await handle.writeFile(JSON.stringify(mine) + '\n');
      } finally {
        await handle.close();
      }
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
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let existing: LockInfo | null;
    try {
      existing = await readLock(path);
    } catch {
      continue; // vanished meanwhile: try again
    }
    if (existing && isHeld(existing)) throw new DataDirInUseError(dir, existing.pid, existing.hostname, path);
    // Stale: move it aside (atomic), then check that what moved is the stale lock
    // and not one that a concurrent taker just created; put such a lock back.
    const aside = `${path}.stale-${mine.token}`;
    try {
      await rename(path, aside);
    } catch {
      continue;
    }
    const moved = await readLock(aside).catch(() => null);
    if (moved && moved.token !== existing?.token) await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
  }
  throw new Error(`could not take the lock ${path}: it keeps changing`);
}

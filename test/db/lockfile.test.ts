import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, LOCK_FILE_NAME, lockDataDir } from '../../server/src/db/lockfile.js';

/** Pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((res) => child.on('exit', res));
  return child.pid!;
}

describe('data folder lock file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pulse-test-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const writeLock = (info: object) => writeFile(join(dir, LOCK_FILE_NAME), JSON.stringify(info));

  it('is taken, refuses a second taker in this process, and is released', async () => {
    const lock = await lockDataDir(dir);
    const info = JSON.parse(await readFile(lock.path, 'utf8'));
    expect(info).toMatchObject({ pid: process.pid, hostname: hostname() });
    await expect(lockDataDir(dir)).rejects.toThrow(`data folder ${dir} is in use by pid ${process.pid}`);
    await lock.release();
    await lock.release(); // idempotent
    expect(await readdir(dir)).toEqual([]);
    await (await lockDataDir(dir)).release();
  });

  it('refuses while another live process holds it', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await writeLock({ pid: child.pid, hostname: hostname(), token: 'other', startedAt: new Date().toISOString() });
      const err = await lockDataDir(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataDirInUseError);
      expect((err as Error).message).toBe(`data folder ${dir} is in use by pid ${child.pid}`);
    } finally {
      child.kill();
    }
  });

  it('takes over a lock left by a dead process, or by this pid in an earlier life (container restart)', async () => {
    for (const pid of [await deadPid(), process.pid]) {
      await writeLock({ pid, hostname: hostname(), token: 'stale', startedAt: '2020-01-01T00:00:00Z' });
      const lock = await lockDataDir(dir);
      expect(JSON.parse(await readFile(lock.path, 'utf8')).token).not.toBe('stale');
      expect(await readdir(dir)).toEqual([LOCK_FILE_NAME]); // no leftovers
      await lock.release();
    }
  });

  it('takes over an unreadable lock file', async () => {
    await writeFile(join(dir, LOCK_FILE_NAME), '{half');
    await (await lockDataDir(dir)).release();
  });

  it("refuses a lock from another host, whose pid it can't check", async () => {
    await writeLock({ pid: 4242, hostname: 'elsewhere', token: 't', startedAt: '2020-01-01T00:00:00Z' });
    await expect(lockDataDir(dir)).rejects.toThrow(/in use by pid 4242 on host elsewhere .*delete .*pulse-arena\.lock/);
  });

  it('lets exactly one of many concurrent takers win', async () => {
    await writeLock({ pid: await deadPid(), hostname: hostname(), token: 'stale', startedAt: '2020-01-01T00:00:00Z' });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => lockDataDir(dir)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DataDirInUseError);
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });
});

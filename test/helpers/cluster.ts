/**
 * Helpers for tests with several server processes: a private Redis, which rooms a process
 * holds, placing players until one lands on a given process, and an admin's API headers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { expect, vi } from 'vitest';
import { freePort, startServerProcess, type ServerProcess } from './serverProcess.js';
import { implementations } from '../db/helpers.js';

/** True when this machine has a redis-server binary (tests that own a Redis need it). */
export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

/** A private, memory-only Redis server on 127.0.0.1:`port` (a test may kill and restart it). */
export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await vi.waitFor(() => expect(spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim()).toBe('PONG'), { timeout: 10_000, interval: 100 });
  return child;
}

const postgres = implementations.find((i) => i.kind === 'postgres')!;
/** Why a test that owns a cluster cannot run here (no PostgreSQL for tests, no redis-server), or undefined. */
export const privateClusterSkipReason = postgres.skipReason ?? (hasRedisServer ? undefined : 'no redis-server binary');

/**
 * Two server processes (`a`, `b`) in scale-out mode on a private Redis and a fresh
 * PostgreSQL database, models off (`extraEnv` adds to their environment). Tests may kill and replace `a`, `b` and `redis` (with
 * `env` and `redisPort`); `close` stops whatever runs then and drops the database.
 */
export interface PrivateCluster {
  a: ServerProcess;
  b: ServerProcess;
  redis: ChildProcess;
  redisPort: number;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startPrivateCluster(adminPassword: string, extraEnv: Record<string, string> = {}): Promise<PrivateCluster> {
  const redisPort = await freePort();
  const redis = await startRedis(redisPort);
  const db = await postgres.create();
  const env = { ADMIN_PASSWORD: adminPassword, INFERENCE: 'off', DATABASE_URL: db.url!, REDIS_URL: `redis://127.0.0.1:${redisPort}`, ...extraEnv };
  const cluster: PrivateCluster = {
    a: await startServerProcess({ env }),
    b: await startServerProcess({ env }),
    redis, redisPort, env,
    close: async () => {
      await Promise.all([cluster.a.stop(), cluster.b.stop()]);
      cluster.redis.kill('SIGKILL');
      await db.dispose();
    },
  };
  return cluster;
}

/** Ids of the rooms running in this process (from its /health). */
export async function localRooms(s: ServerProcess): Promise<string[]> {
  return ((await (await fetch(`${s.url}/health`)).json()) as { process: { roomIds: string[] } }).process.roomIds;
}

/**
 * Creates players through `join` (each in a new room) until one's room runs on each of
 * `targets`, at most `tries` players; returns the first player found on each (undefined
 * where none landed). A new room goes to the process with the fewest rooms as last
 * reported to Redis, so a short pause between creations spreads them.
 */
export async function placeOn<P extends { room: { roomId: string } }>(
  join: (i: number) => Promise<P>, targets: ServerProcess[], tries = 8,
): Promise<Array<P | undefined>> {
  const found: Array<P | undefined> = targets.map(() => undefined);
  for (let i = 0; i < tries && found.some((f) => f === undefined); i++) {
    const p = await join(i);
    for (const [k, t] of targets.entries()) if (!found[k] && (await localRooms(t)).includes(p.room.roomId)) found[k] = p;
    await new Promise((r) => setTimeout(r, 300));
  }
  return found;
}

/** Logs `username` in on `s`; returns headers for JSON API calls as that user. */
export async function staffHeaders(s: ServerProcess, username: string, password: string): Promise<Record<string, string>> {
  const res = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username} on ${s.url}: ${res.status}`);
  return { authorization: `Bearer ${((await res.json()) as { token: string }).token}`, 'content-type': 'application/json' };
}

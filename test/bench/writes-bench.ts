/**
 * Write-behind benchmark: what one flush of the queue costs the server's main thread. Each
 * round queues one second of director rows for N rooms (a sample per room, a decision for
 * every other room, shaped like the real ones) and flushes it, through the two ways the same
 * statements can reach the database:
 *   - `sql`: the server's path — plain SQL on the pg pool (server/src/db/sql.ts);
 *   - `prisma`: the same statements through Prisma (`$transaction` of `$executeRawUnsafe`),
 *     whose query compiler runs in the calling thread.
 * Prints the main thread's CPU per flush (mean: the kernel counts it in 10 ms ticks) beside the
 * whole process's (which includes an embedded PGlite's worker thread), and wall time p50/p99.
 *
 *   npm run bench:writes -- --rooms 100 --rounds 60   (DATABASE_URL: PostgreSQL; else an embedded PGlite in a temp folder)
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '../../server/src/db/database.js';
import type { SqlClient } from '../../server/src/db/sql.js';
import { WriteBehindQueue } from '../../server/src/db/writeBehind.js';
import { percentile } from '../helpers/percentile.js';

const { values: args } = parseArgs({ options: { rooms: { type: 'string', default: '100' }, rounds: { type: 'string', default: '60' } } });
const ROOMS = Number(args.rooms), ROUNDS = Number(args.rounds);
for (const [k, v] of Object.entries({ rooms: ROOMS, rounds: ROUNDS })) {
  if (!Number.isInteger(v) || v < 1 || v > 10_000) throw new Error(`--${k} must be a whole number from 1 to 10000`);
}
const WARMUP = Math.min(10, Math.floor(ROUNDS / 4));

/** The director's per-player inputs and knobs, as a room of four records them each second. */
function roomSecond(): { inputs: object; knobs: object } {
  const players = Array.from({ length: 4 }, () => ({
    playerId: randomUUID(), mode: 'standard',
    inputs: {
      'stats.hp': Math.random() * 100, 'room.wave': 3, 'room.players': 4, 'stats.intensity': Math.random(),
      'stats.killsPerMin': Math.random() * 20, 'stats.deathsPerMin': Math.random() * 3, 'chat.messagesPerMin': Math.random() * 4,
      'stats.secondsPlayed': 120, 'stats.damageTakenPerMin': Math.random() * 200, 'stats.secondsSinceDeath': 40,
      'style.aggressive': Math.random(), 'style.collector': Math.random(), 'chat.sentiment': Math.random() * 2 - 1,
    },
  }));
  const knobs = Object.fromEntries(players.map((p) => [p.playerId, { enemySpeed: 1.05, enemyDamage: 0.95, enemyAccuracy: 1, pickupRate: 1.1 }]));
  return {
    inputs: { room: { 'room.wave': 3, 'room.players': 4, 'room.intensity': 0.4, 'room.struggling': 1, 'room.peakIntensity': 0.8 }, players },
    knobs: { room: { spawnRate: 1, enemySpeed: 1, enemyDamage: 1, enemyAccuracy: 1, pickupRate: 1, waveSize: 1, relaxSeconds: 8 }, players: knobs },
  };
}

const TICK_MS = 10; // USER_HZ
/** This thread's CPU so far, ms (utime + stime of /proc/thread-self/stat). */
function threadCpuMs(): number {
  const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

function throughPrisma(db: Database): SqlClient {
  const p = db.prisma;
  return {
    transaction: async (statements) => { await p.$transaction(statements.map((s) => p.$executeRawUnsafe(s.text, ...s.values))); },
    ping: () => db.sql.ping(),
  };
}

async function measure(name: string, client: SqlClient): Promise<string> {
  const q = new WriteBehindQueue(client, { flushIntervalMs: 3_600_000 });
  const matchId = randomUUID();
  q.startMatch({ id: matchId, roomId: 'bench', startedAt: new Date() });
  await q.flush();
  const cpu: number[] = [], wall: number[] = [];
  let mainMs = 0;
  for (let round = 0; round < ROUNDS + WARMUP; round++) {
    const at = new Date();
    for (let r = 0; r < ROOMS; r++) {
      const { inputs, knobs } = roomSecond();
      q.recordDirectorSample({ id: randomUUID(), at, roomId: `bench-${r}`, matchId, ruleSetVersion: 1, inputs, knobs });
      if (r % 2 === 0) {
        q.recordDecision({
          id: randomUUID(), at, roomId: `bench-${r}`, matchId, playerId: null, ruleSetVersion: 1, ruleId: 'struggling players get help',
          kind: 'activate', inputs: { 'stats.deathsPerMin': 3.2 }, changes: { enemyDamage: [1, 0.85] },
        });
      }
    }
    const c0 = process.cpuUsage(), m0 = threadCpuMs(), t0 = performance.now();
    await q.flush();
    const c = process.cpuUsage(c0), m = threadCpuMs() - m0;
    if (round >= WARMUP) { cpu.push((c.user + c.system) / 1000); wall.push(performance.now() - t0); mainMs += m; }
  }
  await q.close();
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const fmt = (a: number[]) => {
    const sorted = [...a].sort((x, y) => x - y);
    return `p50 ${percentile(sorted, 50).toFixed(2)}  mean ${mean(a).toFixed(2)}  p99 ${percentile(sorted, 99).toFixed(2)} ms`;
  };
  return `${name.padEnd(7)} main thread ${(mainMs / ROUNDS).toFixed(1)} ms per flush   process CPU ${fmt(cpu)}   wall ${fmt(wall)}`;
}

const url = process.env.DATABASE_URL?.trim() || undefined;
const dataDir = url ? undefined : await mkdtemp(path.join(tmpdir(), 'pulse-writes-bench-'));
const db = await openDatabase({ url, dataDir });
try {
  console.log(`write-behind flush — ${ROOMS} rooms' director second per flush (${ROOMS} samples, ${Math.ceil(ROOMS / 2)} decisions), ${ROUNDS} flushes after ${WARMUP} warm-up, ${db.kind}`);
  // Alternating twice evens out whatever the machine does meanwhile.
  for (let i = 0; i < 2; i++) {
    console.log(await measure('sql', db.sql));
    console.log(await measure('prisma', throughPrisma(db)));
  }
} finally {
  await db.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

/**
 * A room's world seed decides its waves: two rooms given the same seed put an idle player at
 * the same spawn and roll the same first-wave enemies; another seed rolls different ones.
 * (Real rooms and SDK clients; the seed is also in each room's "room created" log line.)
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { bootArena, type ArenaClientRoom, type BootedArena } from '../helpers/arenaServer.js';

const seeds: number[] = [];
let arena: BootedArena;
beforeAll(async () => { arena = await bootArena(null, { worldSeed: () => seeds.shift() ?? 1 }); });
afterAll(async () => { await arena.shutdown(); });

/** The idle player's spawn and the kinds and edges of the first wave's enemies, by id. */
async function firstWave(seed: number): Promise<{ spawn: string; enemies: string[]; room: ArenaClientRoom }> {
  seeds.push(seed);
  const room = await arena.join(`Seed${seed}`);
  const me = room.state.players.get(room.sessionId)!;
  const spawn = `${me.x.toFixed(1)},${me.y.toFixed(1)}`;
  const seen = new Map<number, string>();
  await vi.waitFor(() => {
    room.state.enemies.forEach((e, id) => {
      if (!seen.has(Number(id))) seen.set(Number(id), `${e.kind}@${Math.round(e.x)},${Math.round(e.y)}`);
    });
    expect(seen.size).toBeGreaterThanOrEqual(4);
  }, { timeout: 20_000, interval: 5 });
  const enemies = [...seen.entries()].sort((a, b) => a[0] - b[0]).slice(0, 4).map(([id, e]) => `${id}:${e}`);
  return { spawn, enemies, room };
}

it('the same seed rolls the same spawn and first enemies; another seed does not', async () => {
  const a = await firstWave(7);
  const b = await firstWave(7);
  const c = await firstWave(8);
  expect(b.spawn).toBe(a.spawn);
  expect(b.enemies.map((e) => e.split('@')[0])).toEqual(a.enemies.map((e) => e.split('@')[0]));
  expect(c.spawn === a.spawn && c.enemies.join() === a.enemies.join()).toBe(false);
  for (const r of [a.room, b.room, c.room]) await r.leave();
}, 60_000);

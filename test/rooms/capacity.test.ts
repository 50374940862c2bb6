/**
 * MAX_PLAYERS: a process at its limit refuses new players with "server full" (real SDK
 * clients, real server), counts the refusals in /health and /metrics, keeps a dropped
 * player's place for their reconnection, and lets players in again once someone leaves.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ARENA_ROOM, type ServerCapacity } from '@pulse-arena/shared';
import type { ArenaRoom } from '../../server/src/rooms/ArenaRoom.js';
import { ADMISSION_TIMEOUT_MS, PlayerCapacity } from '../../server/src/rooms/capacity.js';
import { bootArena, type BootedArena } from '../helpers/arenaServer.js';
import { scrapeMetrics } from '../helpers/metrics.js';

const LIMIT = 3;
let arena: BootedArena;
beforeAll(async () => { arena = await bootArena(null, { maxPlayers: LIMIT }); });
afterEach(async () => { await arena.colyseus.cleanup(); });
afterAll(async () => { await arena.shutdown(); });

interface HealthProcess { players: number; maxPlayers: number | null; joinsRefusedFull: number }
const health = async (): Promise<HealthProcess> => ((await (await fetch(`${arena.http}/health`)).json()) as { process: HealthProcess }).process;
const capacity = async (): Promise<ServerCapacity> => (await fetch(`${arena.http}/api/capacity`)).json() as Promise<ServerCapacity>;

describe('PlayerCapacity', () => {
  it('admits up to its limit, counts refusals, and gives back a place whose join never became a seat', () => {
    let seated = 0;
    const cap = new PlayerCapacity(2, () => seated);
    expect(cap.admit('a', 0)).toBe(true);
    expect(cap.admit('b', 1)).toBe(true);
    expect(cap.admit('c', 2)).toBe(false);
    expect(cap.refused).toBe(1);
    cap.settle('a'); seated = 1; // a got its seat: still counted, now as seated
    expect(cap.players(3)).toBe(2);
    expect(cap.admit('c', 4)).toBe(false);
    // b's join went nowhere (its client vanished before a seat): its place comes back.
    expect(cap.players(1 + ADMISSION_TIMEOUT_MS + 1)).toBe(1);
    expect(cap.admit('c', 1 + ADMISSION_TIMEOUT_MS + 1)).toBe(true);
  });

  it('no limit admits everyone; a limit that is not a positive integer is refused', () => {
    const cap = new PlayerCapacity(null, () => 1_000_000);
    expect(cap.admit('a', 0)).toBe(true);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new PlayerCapacity(bad, () => 0)).toThrow(RangeError);
  });
});

describe(`MAX_PLAYERS=${LIMIT} on a real server`, () => {
  it('refuses the next player, in a new room or a room with a free seat, with a clear error; counts it', async () => {
    const before = await health();
    expect(before.maxPlayers).toBe(LIMIT);
    expect(await capacity()).toEqual({ full: false, players: 0, maxPlayers: LIMIT });
    const a = await arena.join('Ada');
    await arena.join('Bob', a.roomId);
    expect(await capacity()).toEqual({ full: false, players: 2, maxPlayers: LIMIT });
    await arena.join('Cy'); // a second room: the limit is the process's, not a room's
    expect((await health()).players).toBe(LIMIT);
    // The lobby can tell players before they try.
    expect(await capacity()).toEqual({ full: true, players: LIMIT, maxPlayers: LIMIT });
    await expect(arena.sdk().create(ARENA_ROOM, { name: 'Dee' })).rejects.toThrow(/server full/);
    await expect(arena.sdk().joinById(a.roomId, { name: 'Eve' })).rejects.toThrow(/server full/);
    const after = await health();
    expect(after.players).toBe(LIMIT);
    expect(after.joinsRefusedFull - before.joinsRefusedFull).toBe(2);
    const m = await scrapeMetrics(arena.http);
    expect(m.get('pulse_max_players')).toBe(LIMIT);
    expect(m.get('pulse_joins_refused_full_total')).toBe(after.joinsRefusedFull);
    // Nothing changed for those playing: the room still has its two players.
    const room = arena.colyseus.getRoomById(a.roomId) as unknown as ArenaRoom;
    expect(room.world.players.size).toBe(2);
  });

  it('joins racing for the last places never overshoot the limit', async () => {
    const attempts = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => arena.sdk().create(ARENA_ROOM, { name: `P${i}` })));
    const joined = attempts.filter((r) => r.status === 'fulfilled');
    expect(joined).toHaveLength(LIMIT);
    for (const r of attempts) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/server full/);
    expect((await health()).players).toBe(LIMIT);
  });

  it('a dropped player keeps their place and gets back in while the server is full; a leave frees a place', async () => {
    const a = await arena.join('Ada');
    const b = await arena.join('Bob', a.roomId);
    await arena.join('Cy', a.roomId);
    a.reconnection.minUptime = 0;
    const reconnected = new Promise<void>((resolve) => a.onReconnect(() => resolve()));
    const room = arena.colyseus.getRoomById(a.roomId) as unknown as ArenaRoom;
    const serverClient = room.clients.find((c) => c.sessionId === a.sessionId)!;
    (serverClient as unknown as { ref: { terminate(): void } }).ref.terminate();
    await vi.waitFor(() => expect(b.state.players.get(a.sessionId)?.connected).toBe(false));
    // Ada is away but holds her seat: a newcomer is still refused...
    await expect(arena.sdk().create(ARENA_ROOM, { name: 'Dee' })).rejects.toThrow(/server full/);
    // ...and Ada herself comes back.
    await reconnected;
    await vi.waitFor(() => expect(b.state.players.get(a.sessionId)?.connected).toBe(true));
    expect((await health()).players).toBe(LIMIT);

    await b.leave();
    await vi.waitFor(async () => expect((await health()).players).toBe(LIMIT - 1));
    expect((await capacity()).full).toBe(false);
    const dee = await arena.join('Dee');
    expect(dee.sessionId).toBeTruthy();
  });
});

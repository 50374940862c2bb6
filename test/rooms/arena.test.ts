/**
 * The arena room with real @colyseus/sdk clients over real WebSockets.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ARENA_ROOM, ClientMessage, ServerMessage, TICK_MS, type ArenaStateView, type ChatBroadcast, type ErrorMessage, type InputMessage, type MapView, type WelcomeMessage } from '@pulse-arena/shared';
import type { ArenaRoom } from '../../server/src/rooms/ArenaRoom.js';
import { bootArena, type ArenaClientRoom, type BootedArena } from '../helpers/arenaServer.js';

let arena: BootedArena;
beforeAll(async () => { arena = await bootArena(); });
afterEach(async () => { await arena.colyseus.cleanup(); });
afterAll(async () => { await arena.shutdown(); });

const join = (name: string, roomId?: string): Promise<ArenaClientRoom> => arena.join(name, roomId);

function serverRoom(roomId: string): ArenaRoom {
  return arena.colyseus.getRoomById(roomId) as unknown as ArenaRoom;
}

/** Sends `ticks` inputs at the tick rate, moving along (moveX, moveY). */
async function walk(room: ArenaClientRoom, moveX: number, moveY: number, ticks: number, firstSeq = 1): Promise<number> {
  let seq = firstSeq;
  for (let i = 0; i < ticks; i++) {
    const input: InputMessage = { seq: seq++, moveX, moveY, aim: 0, fire: false, dash: false };
    room.send(ClientMessage.Input, input);
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  return seq;
}

describe('ArenaRoom', () => {
  it('welcomes a player with a persistent id and gives it a player in the state', async () => {
    const sdk = arena.sdk();
    const welcome = new Promise<WelcomeMessage>((resolve, reject) => {
      setTimeout(() => reject(new Error('no welcome')), 5000);
      void sdk.create<ArenaStateView>(ARENA_ROOM, { name: 'Ada' }).then((room) => {
        room.onMessage(ServerMessage.Welcome, (msg: WelcomeMessage) => resolve(msg));
      });
    });
    const msg = await welcome;
    expect(msg.playerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(msg.tickRate).toBe(20);
  });

  it('two clients in one room see each other move, authoritatively', async () => {
    const a = await join('Ada');
    const b = await join('Bob', a.roomId);
    const startX = b.state.players.get(a.sessionId)!.x;
    await walk(a, 1, 0, 12);
    // B sees A's authoritative position move right; A's own state agrees.
    await vi.waitFor(() => expect(b.state.players.get(a.sessionId)!.x).toBeGreaterThan(startX + 80));
    const server = serverRoom(a.roomId).world.players.get(a.sessionId)!;
    await vi.waitFor(() => expect(a.state.players.get(a.sessionId)!.x).toBeCloseTo(server.x, 0));
    expect(b.state.players.get(b.sessionId)!.x).toBeCloseTo(serverRoom(a.roomId).world.players.get(b.sessionId)!.x, 0);
    // A moved 12 inputs × 10 px; the server acknowledges the last input applied.
    await vi.waitFor(() => expect(b.state.players.get(a.sessionId)!.lastSeq).toBe(12));
  });

  it('a client cannot move faster by sending inputs faster than the tick rate', async () => {
    const a = await join('Speedy');
    const before = serverRoom(a.roomId).world.players.get(a.sessionId)!.x;
    // 60 inputs at once: the queue keeps 6, one applied per tick.
    for (let seq = 1; seq <= 60; seq++) a.send(ClientMessage.Input, { seq, moveX: 1, moveY: 0, aim: 0, fire: false, dash: false });
    await new Promise((r) => setTimeout(r, 20 * TICK_MS));
    const moved = serverRoom(a.roomId).world.players.get(a.sessionId)!.x - before;
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThanOrEqual(6 * 10 + 0.001);
    expect(serverRoom(a.roomId).rejected.input_overflow).toBeGreaterThan(0);
  });

  it('a dropped client reconnects within the window and keeps its player', async () => {
    const a = await join('Ada');
    const b = await join('Bob', a.roomId);
    a.reconnection.minUptime = 0;
    await walk(a, 0, 1, 6);
    const room = serverRoom(a.roomId);
    await vi.waitFor(() => expect(room.world.players.get(a.sessionId)!.lastSeq).toBe(6));
    const before = { ...room.world.players.get(a.sessionId)! };
    const reconnected = new Promise<void>((resolve) => a.onReconnect(() => resolve()));
    // Cut the socket abruptly, as a network drop would (no close handshake).
    const serverClient = room.clients.find((c) => c.sessionId === a.sessionId)!;
    (serverClient as unknown as { ref: { terminate(): void } }).ref.terminate();
    // While away, the player is frozen and others see it as disconnected.
    await vi.waitFor(() => expect(b.state.players.get(a.sessionId)?.connected).toBe(false));
    await reconnected;
    await vi.waitFor(() => expect(b.state.players.get(a.sessionId)?.connected).toBe(true));
    const after = room.world.players.get(a.sessionId)!;
    expect(after.name).toBe('Ada');
    expect(after.x).toBeCloseTo(before.x, 5);
    expect(after.y).toBeCloseTo(before.y, 5);
    expect(room.clients.length).toBe(2);
    // And it plays on: inputs after the reconnection are applied.
    await walk(a, 0, -1, 3, 7);
    await vi.waitFor(() => expect(room.world.players.get(a.sessionId)!.lastSeq).toBe(9));
  });

  it('chat reaches everyone in the room; bad and too-fast chat is refused with a reason', async () => {
    const a = await join('Ada');
    const b = await join('Bob', a.roomId);
    const heard: ChatBroadcast[] = [];
    b.onMessage(ServerMessage.Chat, (m: ChatBroadcast) => heard.push(m));
    const errors: ErrorMessage[] = [];
    a.onMessage(ServerMessage.Error, (m: ErrorMessage) => errors.push(m));
    a.send(ClientMessage.Chat, { text: '  gg, wave 3 next  ' });
    await vi.waitFor(() => expect(heard.map((m) => m.text)).toEqual(['gg, wave 3 next']));
    expect(heard[0]!.name).toBe('Ada');
    expect(heard[0]!.sessionId).toBe(a.sessionId);

    a.send(ClientMessage.Chat, { text: 'x'.repeat(201) });
    a.send(ClientMessage.Chat, { text: 42 });
    await vi.waitFor(() => expect(errors.filter((e) => e.code === 'invalid_message').length).toBe(2));
    expect(errors[0]!.message).toMatch(/^text: /);
    for (let i = 0; i < 8; i++) a.send(ClientMessage.Chat, { text: `spam ${i}` });
    await vi.waitFor(() => expect(errors.some((e) => e.code === 'rate_limited')).toBe(true));
    expect(heard.length).toBeLessThanOrEqual(5);
  });

  it("a client's state mirrors the simulation's enemies, bullets and pickups as they come, move and go", async () => {
    const a = await join('Ada');
    const world = serverRoom(a.roomId).world;
    world.phaseTicks = 1; // start the first wave now
    const ids = (list: ReadonlyArray<{ id: number }>) => list.map((e) => String(e.id)).sort();
    const keys = (map: MapView<unknown>) => {
      const out: string[] = [];
      map.forEach((_, key) => out.push(key));
      return out.sort();
    };
    await vi.waitFor(() => expect(world.enemies.length).toBeGreaterThan(1), { timeout: 10_000 });
    // Fire at the enemies for a few ticks: bullets appear in the state as the sim makes them.
    for (let seq = 1; seq <= 4; seq++) a.send(ClientMessage.Input, { seq, moveX: 0, moveY: 0, aim: 0, fire: true, dash: false });
    await vi.waitFor(() => expect(a.state.projectiles.size).toBeGreaterThan(0), { timeout: 5000 });
    world.pickups.push({ id: world.nextId++, kind: 'ammo', x: 100, y: 120, ttl: 1000 });
    await vi.waitFor(() => {
      expect(keys(a.state.enemies)).toEqual(ids(world.enemies));
      expect(keys(a.state.pickups)).toEqual(ids(world.pickups));
      const e = world.enemies[0]!;
      // The client is a patch behind an enemy that moves every tick.
      expect(Math.abs(a.state.enemies.get(String(e.id))!.x - e.x)).toBeLessThan(10);
      expect(a.state.pickups.get(String(world.pickups.at(-1)!.id))!.kind).toBe('ammo');
    }, { timeout: 5000 });
    // Entities the sim drops leave the state; the others stay.
    const gone = world.enemies.shift()!;
    world.pickups.length = 0;
    await vi.waitFor(() => {
      expect(a.state.enemies.get(String(gone.id))).toBeUndefined();
      expect(keys(a.state.enemies)).toEqual(ids(world.enemies));
      expect(a.state.pickups.size).toBe(0);
    }, { timeout: 5000 });
    // Every bullet ends (range or hit) and leaves the state with it.
    const fired = keys(a.state.projectiles);
    await vi.waitFor(() => {
      for (const id of fired) {
        expect(world.projectiles.some((b) => String(b.id) === id)).toBe(false);
        expect(a.state.projectiles.get(id)).toBeUndefined();
      }
    }, { timeout: 5000 });
  });

  it('the room survives a client that disconnects mid-tick, and frees its seat', async () => {
    const a = await join('Ada');
    const b = await join('Bob', a.roomId);
    const room = serverRoom(a.roomId);
    b.reconnection.enabled = false;
    // Inputs in flight when the socket dies.
    for (let seq = 1; seq <= 5; seq++) b.send(ClientMessage.Input, { seq, moveX: 1, moveY: 1, aim: 1, fire: true, dash: true });
    const serverClient = room.clients.find((c) => c.sessionId === b.sessionId)!;
    (serverClient as unknown as { ref: { terminate(): void } }).ref.terminate();
    const tickBefore = room.world.tick;
    await walk(a, -1, 0, 5);
    expect(room.world.tick).toBeGreaterThan(tickBefore);
    await vi.waitFor(() => expect(a.state.players.get(b.sessionId)?.connected).toBe(false));
    // A consented leave frees the seat at once.
    await a.leave();
    expect(room.world.players.has(a.sessionId)).toBe(false);
  });

  it('refuses invalid join options with a clear error', async () => {
    await expect(arena.sdk().create(ARENA_ROOM, { name: '' })).rejects.toThrow(/name: must not be empty/);
    await expect(arena.sdk().create(ARENA_ROOM, { name: 'ok', admin: true })).rejects.toThrow(/admin: unknown field/);
  });

  it('lists rooms for the lobby and answers /health', async () => {
    const a = await join('Ada');
    const rooms = await (await fetch(`${arena.http}/api/rooms`)).json() as Array<{ roomId: string; clients: number; maxClients: number }>;
    expect(rooms).toContainEqual(expect.objectContaining({ roomId: a.roomId, clients: 1, maxClients: 4 }));
    const health = await (await fetch(`${arena.http}/health`)).json() as { status: string; rooms: number; clients: number };
    expect(health.status).toBe('ok');
    expect(health.clients).toBeGreaterThanOrEqual(1);
    const monitor = await fetch(`${arena.http}/monitor/`);
    expect(monitor.status).toBe(401);
  });
});

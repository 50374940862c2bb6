/**
 * Players moving off a process that goes away, in scale-out mode (two real server
 * processes, a private Redis, PostgreSQL). Each player here does what the game client does
 * (client/src/app.ts): on a close that `shouldRematch` accepts, it waits a random moment
 * within REMATCH_SPREAD_MS and matchmakes again with its player id.
 *  - SIGTERM (deploy, scale-in): every player of the drained process is closed with
 *    ServerDraining, lands in a room on the other process, and plays on; everything the
 *    drained process acknowledged is stored; it exits 0.
 *  - kill -9 (a reconnection storm): the players' reconnection attempts fail, then all of
 *    them matchmake onto the surviving process within the window.
 */
import { Client, type Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ARENA_ROOM, ArenaCloseCode, ClientMessage, RECONNECT_RETRIES, REMATCH_SPREAD_MS, ServerMessage, shouldRematch,
  type ArenaStateView, type ChatAck, type PlayerHistory, type WelcomeMessage,
} from '@pulse-arena/shared';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';
import { localRooms, privateClusterSkipReason, staffHeaders, startPrivateCluster, type PrivateCluster } from '../helpers/cluster.js';
const ADMIN_PASSWORD = 'cluster-drain-admin';
/** Players to put on the process that goes away (4 rooms of 4). */
const STORM = 16;

/** A player that follows the client's rematch rule, through `lobby` (the load balancer's stand-in). */
interface Roamer {
  name: string;
  playerId: string;
  room: Room<unknown, ArenaStateView>;
  /** Every room it was in, in order. */
  rooms: string[];
  closeCodes: number[];
  acks: ChatAck[];
  patches: number;
  rematchedAt: number | null;
  failure: string | null;
  gone: boolean;
}

const roamers: Roamer[] = [];

function attach(p: Roamer, room: Room<unknown, ArenaStateView>, lobby: () => ServerProcess): void {
  p.room = room;
  p.rooms.push(room.roomId);
  room.reconnection.maxRetries = RECONNECT_RETRIES;
  room.onMessage(ServerMessage.Welcome, (w: WelcomeMessage) => { p.playerId = w.playerId; });
  room.onMessage(ServerMessage.ChatAck, (a: ChatAck) => p.acks.push(a));
  room.onMessage('*', () => undefined);
  room.onStateChange(() => { p.patches++; });
  room.onLeave((code) => {
    p.closeCodes.push(code);
    if (shouldRematch(code) && !p.gone) void rematch(p, lobby);
  });
}

async function rematch(p: Roamer, lobby: () => ServerProcess): Promise<void> {
  for (let attempt = 1; attempt <= 4; attempt++) {
    await new Promise((r) => setTimeout(r, Math.random() * REMATCH_SPREAD_MS * attempt));
    try {
      const room = await new Client(lobby().url.replace('http', 'ws'))
        .joinOrCreate<ArenaStateView>(ARENA_ROOM, { name: p.name, playerId: p.playerId });
      attach(p, room, lobby);
      p.rematchedAt = Date.now();
      return;
    } catch (err) {
      p.failure = err instanceof Error ? err.message : String(err);
    }
  }
}

async function newRoamer(via: ServerProcess, name: string, lobby: () => ServerProcess, roomId?: string): Promise<Roamer> {
  const client = new Client(via.url.replace('http', 'ws'));
  const room = roomId
    ? await client.joinById<ArenaStateView>(roomId, { name })
    : await client.create<ArenaStateView>(ARENA_ROOM, { name });
  const p: Roamer = { name, playerId: '', room, rooms: [], closeCodes: [], acks: [], patches: 0, rematchedAt: null, failure: null, gone: false };
  attach(p, room, lobby);
  await vi.waitFor(() => expect(p.playerId).not.toBe(''));
  roamers.push(p);
  return p;
}

/** Fills rooms on `target` (created through `via`) with {@link STORM} players in all. */
async function crowd(via: ServerProcess, target: ServerProcess, tag: string, lobby: () => ServerProcess): Promise<Roamer[]> {
  const on: Roamer[] = [];
  for (let i = 0; on.length < STORM && i < 24; i++) {
    const first = await newRoamer(via, `${tag}${i}`, lobby);
    if (!(await localRooms(target)).includes(first.room.roomId)) {
      await new Promise((r) => setTimeout(r, 300)); // let the room counts reach Redis
      continue;
    }
    on.push(first);
    for (let k = 1; k < 4 && on.length < STORM; k++) on.push(await newRoamer(via, `${tag}${i}-${k}`, lobby, first.room.roomId));
  }
  expect(on).toHaveLength(STORM);
  return on;
}

/** Resolves when every player in `group` plays in a room on `survivor`; returns ms from `since` to the last arrival. */
async function allMovedTo(group: Roamer[], survivor: ServerProcess, since: number, timeout: number): Promise<number> {
  await vi.waitFor(async () => {
    expect(group.filter((p) => p.rematchedAt === null).map((p) => `${p.name}: ${p.failure ?? 'waiting'}`)).toEqual([]);
    const live = await localRooms(survivor);
    for (const p of group) expect(live).toContain(p.room.roomId);
  }, { timeout, interval: 100 });
  return Math.max(...group.map((p) => p.rematchedAt!)) - since;
}

describe.skipIf(privateClusterSkipReason !== undefined)('scale-out: players move off a process that goes away', () => {
  let cluster: PrivateCluster | undefined;
  const lobby = () => cluster!.a;

  beforeAll(async () => { cluster = await startPrivateCluster(ADMIN_PASSWORD); }, 120_000);

  afterAll(async () => {
    for (const p of roamers) {
      p.gone = true;
      await p.room.leave().catch(() => undefined);
    }
    await cluster?.close();
  });

  it('SIGTERM drains a process: its players are sent to matchmake again and all play on in rooms on the other; it exits 0', async () => {
    const c = cluster!;
    const onB = await crowd(c.a, c.b, 'drain', lobby);
    for (const [i, p] of onB.entries()) p.room.send(ClientMessage.Chat, { text: `before the drain ${i}`, clientId: `d${i}` });
    await vi.waitFor(() => expect(onB.every((p) => p.acks.length === 1)).toBe(true), { timeout: 10_000 });

    const termAt = Date.now();
    const exit = c.b.stop();
    const movedIn = await allMovedTo(onB, c.a, termAt, 15_000);
    expect(await exit).toBe(0);
    console.log(`drain: ${onB.length} players closed with ${ArenaCloseCode.ServerDraining} and playing on A within ${movedIn} ms of SIGTERM`);
    for (const p of onB) expect(p.closeCodes).toEqual([ArenaCloseCode.ServerDraining]);

    // They play on: state streams in the new rooms, and chat is acknowledged there.
    const before = onB.map((p) => p.patches);
    await new Promise((r) => setTimeout(r, 1_000));
    onB.forEach((p, i) => expect(p.patches - before[i]!).toBeGreaterThan(5));
    // Same player ids: history, profile and sanctions follow them.
    const auth = await staffHeaders(c.a, 'admin', ADMIN_PASSWORD);
    for (const p of onB.slice(0, 4)) {
      const history = (await (await fetch(`${c.a.url}/api/moderation/players/${p.playerId}`, { headers: auth })).json()) as PlayerHistory;
      expect(history.chat.map((c) => c.id)).toEqual(p.acks.map((x) => x.id));
    }
  }, 120_000);

  it('kill -9 of a process (a reconnection storm): its players give up reconnecting and all matchmake onto the survivor', async () => {
    const c = cluster!;
    c.b = await startServerProcess({ env: c.env });
    const onB = await crowd(c.a, c.b, 'storm', lobby);
    // The SDK refuses to reconnect a room joined less than 5 s ago: play a while first, as real players would.
    await new Promise((r) => setTimeout(r, 5_500));
    c.b.child.kill('SIGKILL');
    const killedAt = Date.now();
    const movedIn = await allMovedTo(onB, c.a, killedAt, 40_000);
    console.log(`storm: ${onB.length} players of a killed process playing on A within ${movedIn} ms of the kill`);
    for (const p of onB) expect(p.closeCodes).toEqual([ArenaCloseCode.ReconnectFailed]);
    const before = onB.map((p) => p.patches);
    await new Promise((r) => setTimeout(r, 1_000));
    onB.forEach((p, i) => expect(p.patches - before[i]!).toBeGreaterThan(5));
  }, 120_000);
});

/**
 * MAX_PLAYERS in scale-out mode: two real server processes on Redis, each taking 2 players.
 * Players matchmaking through process A fill A, then B (a full process's rooms are locked
 * and new rooms go to a process under its limit); with both full the next player is told
 * "server full"; when someone leaves, their process takes players again.
 */
import { Client, type Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ARENA_ROOM, type ArenaStateView, type ServerCapacity } from '@pulse-arena/shared';
import type { ServerProcess } from '../helpers/serverProcess.js';
import { privateClusterSkipReason, startPrivateCluster, type PrivateCluster } from '../helpers/cluster.js';

const LIMIT = 2;
/** Colyseus reports each process's player count to Redis at most once a second. */
const REPORT_MS = 1_200;

interface HealthProcess { id: string; players: number; roomIds: string[] }
const processOf = async (s: ServerProcess): Promise<HealthProcess> => ((await (await fetch(`${s.url}/health`)).json()) as { process: HealthProcess }).process;
const capacityOf = async (s: ServerProcess): Promise<ServerCapacity> => (await fetch(`${s.url}/api/capacity`)).json() as Promise<ServerCapacity>;

describe.skipIf(privateClusterSkipReason !== undefined)(`scale-out with MAX_PLAYERS=${LIMIT} per process`, () => {
  let cluster: PrivateCluster | undefined;
  const rooms: Array<Room<unknown, ArenaStateView>> = [];
  /** Matchmakes through A, as a player's client does (joinOrCreate), then waits for Colyseus's next report. */
  const play = async (name: string): Promise<Room<unknown, ArenaStateView>> => {
    const room = await new Client(cluster!.a.url).joinOrCreate<ArenaStateView>(ARENA_ROOM, { name });
    rooms.push(room);
    await new Promise((r) => setTimeout(r, REPORT_MS));
    return room;
  };

  beforeAll(async () => { cluster = await startPrivateCluster('capacity-cluster-admin', { MAX_PLAYERS: String(LIMIT) }); }, 120_000);
  afterAll(async () => {
    for (const r of rooms) await r.leave().catch(() => undefined);
    await cluster?.close();
  });

  it('fills one process, then the other, then says "server full"; a leave opens a place again', async () => {
    const { a, b } = cluster!;
    for (const name of ['p1', 'p2']) await play(name);
    // A is full, B is not: the deployment has places, as both processes tell the lobby.
    for (const s of [a, b]) expect(await capacityOf(s)).toEqual({ full: false, players: LIMIT, maxPlayers: 2 * LIMIT });
    for (const name of ['p3', 'p4']) await play(name);
    for (const s of [a, b]) expect(await capacityOf(s)).toEqual({ full: true, players: 2 * LIMIT, maxPlayers: 2 * LIMIT });
    const [onA, onB] = [await processOf(a), await processOf(b)];
    expect([onA.players, onB.players]).toEqual([LIMIT, LIMIT]);
    // Every player is in a room of the process that counts them.
    const where = (roomId: string) => (onA.roomIds.includes(roomId) ? 'a' : onB.roomIds.includes(roomId) ? 'b' : 'nowhere');
    expect(rooms.map((r) => where(r.roomId)).sort()).toEqual(['a', 'a', 'b', 'b']);

    await expect(new Client(a.url).joinOrCreate(ARENA_ROOM, { name: 'p5' })).rejects.toThrow(/server full/);
    expect([(await processOf(a)).players, (await processOf(b)).players]).toEqual([LIMIT, LIMIT]);

    // A player on B leaves: B takes the next player (into the room that had the free seat).
    const leaver = rooms.find((r) => where(r.roomId) === 'b')!;
    const stayer = rooms.find((r) => r !== leaver && r.roomId === leaver.roomId);
    await leaver.leave();
    rooms.splice(rooms.indexOf(leaver), 1);
    await vi.waitFor(async () => expect((await processOf(b)).players).toBe(LIMIT - 1));
    await new Promise((r) => setTimeout(r, REPORT_MS));
    for (const s of [a, b]) expect(await capacityOf(s)).toEqual({ full: false, players: 2 * LIMIT - 1, maxPlayers: 2 * LIMIT });
    const p6 = await play('p6');
    expect((await processOf(b)).roomIds).toContain(p6.roomId);
    if (stayer) expect(p6.roomId).toBe(stayer.roomId);
    expect([(await processOf(a)).players, (await processOf(b)).players]).toEqual([LIMIT, LIMIT]);
  }, 60_000);
});

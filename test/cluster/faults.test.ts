/**
 * Faults in scale-out mode, with two real server processes on one PostgreSQL and a private
 * Redis server this test owns (so it can kill it): kill -9 one process mid-play — the
 * players on the other play on, and every chat line acknowledged on the dead one is in the
 * database; the process restarts into the cluster. Then Redis restarts: both processes
 * recover, matchmaking works again and cross-process events flow again.
 */
import { Client, type Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ARENA_ROOM, ClientMessage, ServerMessage,
  type ArenaStateView, type ChatAck, type DirectorMessage, type PlayerHistory, type RuleSet, type ServerCapacity, type WelcomeMessage,
} from '@pulse-arena/shared';
import { scrapeMetrics } from '../helpers/metrics.js';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';
import { placeOn, privateClusterSkipReason, staffHeaders, startPrivateCluster, startRedis, type PrivateCluster } from '../helpers/cluster.js';

const ADMIN_PASSWORD = 'cluster-faults-admin';

/** Every player the tests made, to be sent home at the end. */
const players: Player[] = [];

interface Player { room: Room<unknown, ArenaStateView>; playerId: string; acks: ChatAck[]; patches: number; director: DirectorMessage[]; left: boolean }

async function join(via: ServerProcess, name: string): Promise<Player> {
  const room = await new Client(via.url.replace('http', 'ws')).create<ArenaStateView>(ARENA_ROOM, { name });
  const p: Player = { room, playerId: '', acks: [], patches: 0, director: [], left: false };
  room.onMessage(ServerMessage.Welcome, (w: WelcomeMessage) => { p.playerId = w.playerId; });
  room.onMessage(ServerMessage.ChatAck, (a: ChatAck) => p.acks.push(a));
  room.onMessage(ServerMessage.Director, (m: DirectorMessage) => p.director.push(m));
  room.onMessage('*', () => undefined);
  room.onStateChange(() => { p.patches++; });
  room.onLeave(() => { p.left = true; });
  room.reconnection.enabled = false;
  await vi.waitFor(() => expect(p.playerId).not.toBe(''));
  players.push(p);
  return p;
}

describe.skipIf(privateClusterSkipReason !== undefined)('scale-out faults: a process killed, Redis restarted', () => {
  let cluster: PrivateCluster | undefined;

  beforeAll(async () => { cluster = await startPrivateCluster(ADMIN_PASSWORD); }, 120_000);

  afterAll(async () => {
    for (const p of players) if (!p.left) await p.room.leave().catch(() => undefined);
    await cluster?.close();
  });

  it('kill -9 of one process: players on the other play on; what it acknowledged is stored; it rejoins the cluster', async () => {
    const c = cluster!;
    // Rooms on both processes, created through A.
    const [onA, onB] = await placeOn((i) => join(c.a, `p${i}`), [c.a, c.b]);
    expect(onA && onB).toBeTruthy();
    for (let i = 0; i < 4; i++) onB!.room.send(ClientMessage.Chat, { text: `line ${i} on B`, clientId: `b${i}` });
    await vi.waitFor(() => expect(onB!.acks.length).toBe(4), { timeout: 10_000 });

    c.b.child.kill('SIGKILL');
    await new Promise((r) => c.b.child.once('exit', r));
    const killedAt = Date.now();
    await vi.waitFor(() => expect(onB!.left).toBe(true), { timeout: 10_000 });
    // A's player is unaffected: state keeps streaming, chat is acknowledged.
    const before = onA!.patches;
    await new Promise((r) => setTimeout(r, 3_000));
    console.log(`after B died: ${onA!.patches - before} patches in 3 s on A`);
    expect(onA!.patches - before).toBeGreaterThan(30);
    onA!.room.send(ClientMessage.Chat, { text: 'still here on A', clientId: 'a-after' });
    await vi.waitFor(() => expect(onA!.acks.map((x) => x.clientId)).toContain('a-after'), { timeout: 5_000 });

    // What B left in the shared matchmaker goes soon, not when a join happens to trip over it:
    // its room leaves A's lobby list, and A's count of the cluster's places and players drops B's.
    await vi.waitFor(async () => {
      const listed = (await (await fetch(`${c.a.url}/api/rooms`)).json()) as Array<{ roomId: string }>;
      expect(listed.map((r) => r.roomId)).not.toContain(onB!.room.roomId);
      const capacity = (await (await fetch(`${c.a.url}/api/capacity`)).json()) as ServerCapacity;
      const own = ((await (await fetch(`${c.a.url}/health`)).json()) as { process: { players: number } }).process.players;
      expect(capacity.players).toBe(own);
    }, { timeout: 15_000, interval: 250 });
    console.log(`B's room left A's lobby list ${Date.now() - killedAt} ms after the kill`);
    const metrics = await scrapeMetrics(c.a.url);
    expect(metrics.get('pulse_cluster_dead_processes_swept_total')).toBe(1);

    // Every line B acknowledged is in the shared database (read through A).
    const auth = await staffHeaders(c.a, 'admin', ADMIN_PASSWORD);
    const history = (await (await fetch(`${c.a.url}/api/moderation/players/${onB!.playerId}`, { headers: auth })).json()) as PlayerHistory;
    expect(history.chat.map((c) => c.id).sort()).toEqual(onB!.acks.map((x) => x.id).sort());

    // B comes back and takes rooms again (matchmaking through A, so both processes share Redis state).
    c.b = await startServerProcess({ env: c.env });
    console.log(`B restarted ${Date.now() - killedAt} ms after the kill`);
    const [again] = await placeOn((i) => join(c.a, `back${i}`), [c.b]);
    expect(again).toBeDefined();
  }, 120_000);

  it('Redis restarts: both processes recover — matchmaking and cross-process events work again', async () => {
    const c = cluster!;
    const playing = [...new Set(players.filter((p) => !p.left).map((p) => p.room.roomId))];
    expect(playing.length).toBeGreaterThan(0);
    c.redis.kill('SIGKILL');
    await new Promise((r) => c.redis.once('exit', r));
    await new Promise((r) => setTimeout(r, 2_000));
    c.redis = await startRedis(c.redisPort);
    const restartedAt = Date.now();

    // Matchmaking through both processes works again (Redis lost every key: the processes re-register).
    await vi.waitFor(async () => {
      await join(c.a, 'after-redis-a');
      await join(c.b, 'after-redis-b');
    }, { timeout: 30_000, interval: 1_000 });
    console.log(`matchmaking works again ${Date.now() - restartedAt} ms after Redis came back`);
    // The rooms that played on through the outage are listed again (Redis lost their listings),
    // and the cluster's player count is whole again.
    await vi.waitFor(async () => {
      const listed = ((await (await fetch(`${c.a.url}/api/rooms`)).json()) as Array<{ roomId: string }>).map((r) => r.roomId);
      expect(listed).toEqual(expect.arrayContaining(playing));
      const capacity = (await (await fetch(`${c.a.url}/api/capacity`)).json()) as ServerCapacity;
      expect(capacity.players).toBe(players.filter((p) => !p.left).length);
    }, { timeout: 15_000, interval: 250 });
    console.log(`rooms that played through the outage listed again ${Date.now() - restartedAt} ms after Redis came back`);

    // Pub/sub again: a rule set published through A reaches a room on B.
    const [onB] = await placeOn((i) => join(c.a, `r${i}`), [c.b]);
    expect(onB).toBeDefined();
    const auth = await staffHeaders(c.a, 'admin', ADMIN_PASSWORD);
    const ruleSet: RuleSet = { name: 'after redis', rules: [{ id: 'after-redis', cooldownSeconds: 0, when: { input: 'room.players', op: '>=', value: 1 }, then: [{ knob: 'enemyDamage', set: 4 }] }] };
    const res = await fetch(`${c.a.url}/api/designer/rulesets`, { method: 'POST', headers: auth, body: JSON.stringify({ ruleSet, note: 'after redis restart' }) });
    expect(res.status).toBe(201);
    await vi.waitFor(() => expect(onB!.director.some((m) => m.ruleId === 'after-redis')).toBe(true), { timeout: 5_000, interval: 50 });
  }, 120_000);
});

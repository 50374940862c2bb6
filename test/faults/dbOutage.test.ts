/**
 * Fault: PostgreSQL unreachable for 30 s under a real server process (its DATABASE_URL goes
 * through a proxy the test cuts). The game plays on — state patches keep arriving, inputs
 * keep moving players — while /health says "degraded", game writes wait in the bounded
 * write-behind queue, and chat is refused with a clear reason (never acknowledged, so
 * nothing acknowledged can be lost; once a line failed to store, the next ones are not shown
 * to the room either). When the database is back, the queue drains, /health
 * is "ok" again and chat is stored and acknowledged again.
 */
import { Client, type Room } from '@colyseus/sdk';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  ARENA_ROOM, ClientMessage, ServerMessage,
  type ArenaStateView, type ChatAck, type ChatBroadcast, type ErrorMessage, type WelcomeMessage,
} from '@pulse-arena/shared';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';
import { implementations, OutageProxy } from '../db/helpers.js';

const postgres = implementations.find((i) => i.kind === 'postgres')!;
const OUTAGE_MS = 30_000;

interface Health { status: string; db: { ok: boolean; writeBacklog: number; writesStored: number } }

describe.skipIf(postgres.skipReason !== undefined)('PostgreSQL unreachable for 30 s', () => {
  let server: ServerProcess | undefined;
  let proxy: OutageProxy | undefined;
  let dispose: (() => Promise<void>) | undefined;
  let room: Room<unknown, ArenaStateView> | undefined;
  let peer: Room<unknown, ArenaStateView> | undefined;

  afterAll(async () => {
    await room?.leave().catch(() => undefined);
    await peer?.leave().catch(() => undefined);
    await server?.stop();
    await proxy?.stop();
    await dispose?.();
  });

  it('plays on, says degraded, refuses chat clearly, and writes everything once the database is back', async () => {
    const made = await postgres.create();
    dispose = made.dispose;
    const target = new URL(made.url!);
    proxy = new OutageProxy(() => ({ host: target.hostname, port: Number(target.port || 5432) }));
    await proxy.start();
    const viaProxy = Object.assign(new URL(made.url!), { port: String(proxy.port) }).toString();
    server = await startServerProcess({ env: { INFERENCE: 'off', DATABASE_URL: viaProxy } });
    const health = async () => (await (await fetch(`${server!.url}/health`)).json()) as Health;

    room = await new Client(server.url.replace('http', 'ws')).create<ArenaStateView>(ARENA_ROOM, { name: 'through-it' });
    const acks: ChatAck[] = [];
    const errors: ErrorMessage[] = [];
    let sessionId = '';
    room.onMessage(ServerMessage.Welcome, (w: WelcomeMessage) => { sessionId = w.sessionId; });
    room.onMessage(ServerMessage.ChatAck, (a: ChatAck) => acks.push(a));
    room.onMessage(ServerMessage.Error, (e: ErrorMessage) => errors.push(e));
    room.onMessage('*', () => undefined);
    let patches = 0;
    room.onStateChange(() => { patches++; });
    await vi.waitFor(() => expect(sessionId).not.toBe(''));
    peer = await new Client(server.url.replace('http', 'ws')).joinById<ArenaStateView>(room.roomId, { name: 'peer' });
    const heard: string[] = [];
    peer.onMessage(ServerMessage.Chat, (m: ChatBroadcast) => heard.push(m.text));
    peer.onMessage('*', () => undefined);
    let seq = 0;
    const driver = setInterval(() => {
      seq++;
      room!.send(ClientMessage.Input, { seq, moveX: Math.cos(seq / 20), moveY: Math.sin(seq / 20), aim: 0, fire: seq % 2 === 0, dash: false });
    }, 50);
    try {
      room.send(ClientMessage.Chat, { text: 'before the outage', clientId: 'before' });
      await vi.waitFor(() => expect(acks.map((a) => a.clientId)).toContain('before'), { timeout: 5_000 });

      proxy.cut();
      const cutAt = Date.now();
      await vi.waitFor(async () => expect((await health()).status).toBe('degraded'), { timeout: 10_000, interval: 250 });
      console.log(`/health degraded ${Date.now() - cutAt} ms after the cut`);
      room.send(ClientMessage.Chat, { text: 'during the outage', clientId: 'during' });
      await vi.waitFor(() => expect(errors.some((e) => e.code === 'unavailable')).toBe(true), { timeout: 15_000, interval: 100 });
      expect(acks.map((a) => a.clientId)).not.toContain('during');
      // Storing failed a moment ago: the next line waits for its commit, is refused, and nobody sees it.
      room.send(ClientMessage.Chat, { text: 'still during the outage', clientId: 'during-2' });
      await vi.waitFor(() => expect(errors.filter((e) => e.code === 'unavailable')).toHaveLength(2), { timeout: 15_000, interval: 100 });
      expect(errors.at(-1)!.message).toMatch(/not sent/);
      expect(heard).not.toContain('still during the outage');
      expect(acks.map((a) => a.clientId)).not.toContain('during-2');

      // The game goes on through the outage: patches keep coming and the player keeps moving.
      const patchesAtCut = patches;
      const me = () => room!.state.players.get(sessionId)!;
      const positions: Array<[number, number]> = [];
      while (Date.now() - cutAt < OUTAGE_MS) {
        positions.push([me().x, me().y]);
        await new Promise((r) => setTimeout(r, 2_000));
      }
      const during = patches - patchesAtCut;
      const h = await health();
      console.log(`outage: ${during} patches in ${Math.round((Date.now() - cutAt) / 1000)} s, write backlog ${h.db.writeBacklog}, status ${h.status}`);
      expect(h.status).toBe('degraded');
      expect(during).toBeGreaterThan(((OUTAGE_MS - 5_000) / 1000) * 10);
      expect(new Set(positions.map(([x, y]) => `${Math.round(x)},${Math.round(y)}`)).size).toBeGreaterThan(positions.length / 2);
      expect(h.db.writeBacklog).toBeGreaterThan(0);

      const { writeBacklog: backlog, writesStored: storedBefore } = (await health()).db;
      proxy.restore();
      const restoredAt = Date.now();
      // Drained: everything queued during the outage is stored (new game writes keep coming,
      // so the backlog itself need not ever read 0).
      await vi.waitFor(async () => {
        const now = await health();
        expect(now.status).toBe('ok');
        expect(now.db.writesStored).toBeGreaterThanOrEqual(storedBefore + backlog);
      }, { timeout: 30_000, interval: 250 });
      console.log(`restored: health ok and the outage's ${backlog} queued writes stored after ${Date.now() - restoredAt} ms`);
      room.send(ClientMessage.Chat, { text: 'after the outage', clientId: 'after' });
      await vi.waitFor(() => expect(acks.map((a) => a.clientId)).toContain('after'), { timeout: 10_000 });
      expect(heard).toContain('after the outage');
    } finally {
      clearInterval(driver);
    }
  }, 150_000);
});

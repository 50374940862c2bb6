/**
 * Hostile input: thousands of malformed, oversized, wrong-typed and out-of-range messages
 * from real SDK clients. Each must be refused and counted, and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Room as SdkRoom } from '@colyseus/sdk';
import { ARENA_ROOM, ClientMessage, TICK_MS, type ArenaStateView } from '@pulse-arena/shared';
import type { ArenaRoom } from '../../server/src/rooms/ArenaRoom.js';
import { bootArena, type BootedArena } from '../helpers/arenaServer.js';
import { scrapeMetrics } from '../helpers/metrics.js';
import { mutatedChat, mutatedInput, mutatedRecommendation, mutatedReport, prng, randomType, randomValue } from '../helpers/junk.js';

let arena: BootedArena;
beforeAll(async () => { arena = await bootArena(); });
afterAll(async () => { await arena.shutdown(); });

describe('hostile input', () => {
  it('refuses and counts thousands of bad messages without changing state or hurting others', async () => {
    const honest = await arena.sdk().create<ArenaStateView>(ARENA_ROOM, { name: 'Honest' });
    const room = arena.colyseus.getRoomById(honest.roomId) as unknown as ArenaRoom;
    const attackers: SdkRoom<unknown, ArenaStateView>[] = [];
    for (let i = 0; i < 3; i++) {
      attackers.push(await arena.sdk().joinById<ArenaStateView>(honest.roomId, { name: `Fuzz${i}` }));
    }
    await vi.waitFor(() => expect(room.clients.length).toBe(4));
    const start = new Map(attackers.map((a) => {
      const p = room.world.players.get(a.sessionId)!;
      return [a.sessionId, { x: p.x, y: p.y, lastSeq: p.lastSeq, name: p.name }];
    }));

    const rand = prng(20261128);
    const PER_CLIENT = 1000; // 3,000 messages in all
    let sent = 0;
    let unknownSent = 0;
    // 40 messages/s per client: under the 60/s limit above which Colyseus drops a client.
    for (let batch = 0; batch < PER_CLIENT / 10; batch++) {
      for (const a of attackers) {
        for (let i = 0; i < 10; i++) {
          const r = rand();
          if (r < 0.4) a.send(ClientMessage.Input, mutatedInput(rand));
          else if (r < 0.6) a.send(ClientMessage.Input, randomValue(rand));
          else if (r < 0.75) a.send(ClientMessage.Chat, mutatedChat(rand));
          else if (r < 0.8) a.send(ClientMessage.Recommendation, mutatedRecommendation(rand));
          else if (r < 0.85) a.send(ClientMessage.Report, mutatedReport(rand));
          else {
            a.send(randomType(rand) as string, randomValue(rand));
            unknownSent++;
          }
          sent++;
        }
      }
      // The honest player keeps playing through the storm.
      honest.send(ClientMessage.Input, { seq: batch + 1, moveX: batch % 40 < 20 ? 1 : -1, moveY: 0, aim: 0, fire: false, dash: false });
      await new Promise((r) => setTimeout(r, 250));
    }

    const counted = () => room.rejected.invalid_message + room.rejected.unknown_type;
    await vi.waitFor(() => expect(counted()).toBe(sent), { timeout: 5000 });
    expect(room.rejected.unknown_type).toBe(unknownSent);
    expect(room.rejected.rate_limited).toBe(0);
    expect(room.clients.length).toBe(4); // nobody was dropped, the room is alive
    for (const a of attackers) {
      const p = room.world.players.get(a.sessionId)!;
      const before = start.get(a.sessionId)!;
      // No input was ever applied; a position change can only come from a respawn.
      expect(p.lastSeq).toBe(0);
      expect(p.name).toBe(before.name);
      if (p.deaths === 0) expect({ x: p.x, y: p.y }).toEqual({ x: before.x, y: before.y });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    // The honest player's inputs were all applied.
    await vi.waitFor(() => expect(room.world.players.get(honest.sessionId)!.lastSeq).toBe(PER_CLIENT / 10));
    const health = await (await fetch(`${arena.http}/health`)).json() as { rejectedMessages: { total: number } };
    expect(health.rejectedMessages.total).toBeGreaterThanOrEqual(sent);
    // Every rejection is counted in /metrics too, by reason.
    const metrics = await scrapeMetrics(arena.http);
    const rejected = (reason: string) => metrics.get(`pulse_client_messages_rejected_total{reason="${reason}"}`) ?? NaN;
    expect(rejected('invalid_message') + rejected('unknown_type')).toBeGreaterThanOrEqual(counted());
    expect(rejected('unknown_type')).toBeGreaterThanOrEqual(unknownSent);
  }, 120_000);

  it('drops a client that sends an oversized frame or undecodable bytes; the room plays on', async () => {
    const honest = await arena.sdk().create<ArenaStateView>(ARENA_ROOM, { name: 'Honest' });
    const room = arena.colyseus.getRoomById(honest.roomId) as unknown as ArenaRoom;
    const big = await arena.sdk().joinById<ArenaStateView>(honest.roomId, { name: 'Big' });
    const garbage = await arena.sdk().joinById<ArenaStateView>(honest.roomId, { name: 'Garbage' });
    big.reconnection.enabled = false;
    garbage.reconnection.enabled = false;
    await vi.waitFor(() => expect(room.clients.length).toBe(3));
    big.send(ClientMessage.Chat, { text: 'x'.repeat(10_000) }); // over the 4 KiB frame limit
    // A ROOM_DATA frame whose msgpack body is truncated.
    garbage.connection.send(new Uint8Array([13, 0xa5, 0x63, 0x68, 0x61, 0x74, 0x74, 0xdc, 0xff]));
    await vi.waitFor(() => expect(room.clients.length).toBe(1), { timeout: 5000 });
    const tick = room.world.tick;
    honest.send(ClientMessage.Input, { seq: 1, moveX: 0, moveY: 1, aim: 0, fire: false, dash: false });
    await new Promise((r) => setTimeout(r, 4 * TICK_MS));
    expect(room.world.tick).toBeGreaterThan(tick);
    expect(room.world.players.get(honest.sessionId)!.lastSeq).toBe(1);
  });
});

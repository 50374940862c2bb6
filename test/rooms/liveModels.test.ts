/**
 * The models in live play: a real room with real @colyseus/sdk clients, the real inference
 * host (worker thread, committed artifacts) and the real write-behind queue on PGlite.
 * Each player's window is classified and the smoothed read reaches that player (and only
 * that player); every chat message is scored and its scores are stored with it.
 */
import { matchMaker } from '@colyseus/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClientMessage, ServerMessage, TICK_MS, type InputMessage, type ProfileMessage } from '@pulse-arena/shared';
// Before the database modules: Prisma's generated client defines a global __dirname, which
// makes @colyseus/tools (loaded by @colyseus/testing) try require() for its optional packages.
import { bootArena, type BootedArena } from '../helpers/arenaServer.js';
import { BEHAVIOR_CLASSES } from '../../models/src/behavior/classes.js';
import type { Database } from '../../server/src/db/database.js';
import { WriteBehindQueue } from '../../server/src/db/writeBehind.js';
import { InferenceHost } from '../../server/src/inference/host.js';
import { implementations } from '../db/helpers.js';
import { localModeration } from '../helpers/moderation.js';
import { parseMetrics } from '../helpers/metrics.js';

let arena: BootedArena;
let host: InferenceHost;
let db: Database;
let writes: WriteBehindQueue;
let disposeDb: () => Promise<void>;

beforeAll(async () => {
  const made = await implementations[0]!.create();
  disposeDb = made.dispose;
  db = await made.open();
  writes = new WriteBehindQueue(db.sql, { flushIntervalMs: 60_000 });
  host = new InferenceHost({ log: () => undefined });
  expect(await host.ready(60_000)).toBe(true);
  // Twice a second instead of once: the same path, a shorter test.
  const moderation = await localModeration(db.prisma);
  arena = await bootArena(writes, { inference: host, classifyEveryTicks: 10, moderation });
});

afterAll(async () => {
  await arena?.shutdown();
  await host?.close();
  await writes?.close();
  await db?.close();
  await disposeDb?.();
});

const join = (name: string, roomId?: string) => arena.join(name, roomId);

describe('models in live play', () => {
  it('classifies each player about as often as configured and sends the smoothed read to that player only', async () => {
    const idle = await join('Idle');
    const busy = await join('Busy', idle.roomId);
    const idleReads: ProfileMessage[] = [];
    const busyReads: ProfileMessage[] = [];
    idle.onMessage(ServerMessage.Profile, (m: ProfileMessage) => idleReads.push(m));
    busy.onMessage(ServerMessage.Profile, (m: ProfileMessage) => busyReads.push(m));

    // Busy circles, aims around and fires for ~6 s; Idle sends nothing at all (AFK).
    let seq = 0;
    const driver = setInterval(() => {
      seq++;
      const t = seq / 10;
      const input: InputMessage = { seq, moveX: Math.cos(t), moveY: Math.sin(t), aim: t % Math.PI, fire: seq % 3 !== 0, dash: seq % 40 === 0 };
      busy.send(ClientMessage.Input, input);
    }, TICK_MS);
    try {
      await vi.waitFor(() => {
        expect(idleReads.length).toBeGreaterThanOrEqual(3);
        expect(busyReads.length).toBeGreaterThanOrEqual(3);
      }, { timeout: 20_000, interval: 100 });
    } finally {
      clearInterval(driver);
    }

    for (const read of [...idleReads, ...busyReads]) {
      expect(Object.keys(read.probabilities)).toEqual([...BEHAVIOR_CLASSES]);
      const values = Object.values(read.probabilities);
      expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      expect(read.confidence).toBe(Math.max(...values));
      expect(read.probabilities[read.style]).toBe(read.confidence);
    }
    // A player who touches nothing is read as away from the keyboard; a busy one is not.
    expect(idleReads.at(-1)!.style).toBe('idle');
    expect(busyReads.at(-1)!.style).not.toBe('idle');
    // Every read came from the model through the host, not from neutral fallbacks.
    expect(host.status().counters!.behavior.scored).toBeGreaterThanOrEqual(6);
    await idle.leave();
    await busy.leave();
  });

  it('scores every chat message and stores the scores with it', async () => {
    const room = await join('Talker');
    const lines = ['gg wp everyone, that was fun', 'youre a fucking idiot, uninstall'];
    for (const text of lines) room.send(ClientMessage.Chat, { text });
    await vi.waitFor(async () => {
      const rows = await db.prisma.chatMessage.findMany({ where: { roomId: room.roomId } });
      expect(rows.map((r) => r.text).sort()).toEqual([...lines].sort());
    }, { timeout: 10_000, interval: 100 });
    const rows = await db.prisma.chatMessage.findMany({ where: { roomId: room.roomId } });
    const byText = new Map(rows.map((r) => [r.text, r]));
    for (const row of rows) {
      expect(row.scoredBy).toMatch(/^chat\/v\d+$/);
      expect(row.sentimentNegative! + row.sentimentNeutral! + row.sentimentPositive!).toBeCloseTo(1, 3);
    }
    const friendly = byText.get(lines[0]!)!, abusive = byText.get(lines[1]!)!;
    expect(friendly.sentimentPositive!).toBeGreaterThan(friendly.sentimentNegative!);
    expect(abusive.toxicity!).toBeGreaterThan(0.5);
    expect(friendly.toxicity!).toBeLessThan(0.5);
    await room.leave();
  });

  it('reports players, rooms, ticks, inference and the chat pipeline in /metrics', async () => {
    const room = await join('Metered');
    room.send(ClientMessage.Chat, { text: 'gg everyone, nice run', clientId: 'metered' });
    room.send(ClientMessage.Chat, { text: 12 });
    await new Promise((r) => setTimeout(r, 1_500));
    const listings = vi.spyOn(matchMaker.driver, 'query');
    const res = await fetch(`${arena.http}/metrics`);
    // Players and rooms come from one matchmaker listing per scrape.
    expect(listings).toHaveBeenCalledTimes(1);
    listings.mockRestore();
    expect(res.headers.get('content-type')).toContain('text/plain');
    const metrics = parseMetrics(await res.text());
    const value = (series: string): number => metrics.get(series) ?? NaN;
    expect(value('pulse_clients')).toBeGreaterThanOrEqual(1);
    expect(value('pulse_rooms')).toBeGreaterThanOrEqual(1);
    expect(value('pulse_room_tick_seconds{quantile="0.99"}')).toBeGreaterThan(0);
    expect(value('pulse_room_tick_seconds{quantile="0.99"}')).toBeLessThan(0.05);
    expect(value('pulse_event_loop_lag_seconds{quantile="0.99"}')).toBeGreaterThanOrEqual(0);
    expect(value('pulse_inference_batch_size_count{model="behavior"}')).toBeGreaterThan(0);
    expect(value('pulse_inference_latency_seconds_count{model="chat"}')).toBeGreaterThanOrEqual(1);
    expect(value('pulse_inference_requests_total{model="chat"}')).toBeGreaterThanOrEqual(1);
    expect(value('pulse_chat_pipeline_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value('pulse_client_messages_rejected_total{reason="invalid_message"}')).toBeGreaterThanOrEqual(1);
    expect(value('pulse_write_behind_backlog')).toBeGreaterThanOrEqual(0);
    expect(value('pulse_flags_open')).toBeGreaterThanOrEqual(0);
    expect(value('pulse_process_resident_memory_bytes')).toBeGreaterThan(0);
    await room.leave();
  });
});

/**
 * Scale-out: two real server processes on Redis (Colyseus's presence and driver) and one
 * PostgreSQL database, played through @colyseus/sdk clients. A client matchmaking through
 * process A lands in a room on process B; a flag raised on B reaches a moderator console
 * open on A; a mute issued through A holds on B; a rule set published through A reaches
 * rooms on both processes.
 */
import { createConnection } from 'node:net';
import { Client, type Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ARENA_ROOM, ClientMessage, ServerMessage,
  type ArenaStateView, type ChatAck, type DirectorMessage, type ErrorMessage, type FlagSummary, type ModerationNotice, type PlayerHistory, type RuleSet, type WelcomeMessage,
} from '@pulse-arena/shared';
import { startServerProcess, waitForModels, type ServerProcess } from '../helpers/serverProcess.js';
import { implementations } from '../db/helpers.js';
import { placeOn, staffHeaders } from '../helpers/cluster.js';

const postgres = implementations.find((i) => i.kind === 'postgres')!;
/** Database 9 of the machine's Redis, flushed first: stale state of an earlier run never leaks in. */
const REDIS_URL = process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379/9';
const ADMIN_PASSWORD = 'cluster-test-admin';

/** Sends raw RESP commands (no client library needed); resolves with the reply text, or null when Redis is unreachable. */
function redisCommands(url: string, commands: string[][]): Promise<string | null> {
  const u = new URL(url);
  const db = u.pathname.slice(1) || '0';
  const encode = (args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve) => {
    const sock = createConnection({ host: u.hostname, port: Number(u.port || 6379) });
    let reply = '';
    const expected = commands.length + 1;
    sock.setTimeout(2_000, () => { sock.destroy(); resolve(null); });
    sock.once('error', () => resolve(null));
    sock.on('data', (d) => {
      reply += d.toString();
      if (reply.split('\r\n').filter(Boolean).length >= expected) { sock.end(); resolve(reply); }
    });
    sock.write([['SELECT', db], ...commands].map(encode).join(''));
  });
}

const redisUp = await redisCommands(REDIS_URL, [['PING']]);
const skipReason = postgres.skipReason ?? (redisUp === null ? `no Redis at ${REDIS_URL}` : undefined);

interface Health { process: { id: string; mode: string; roomIds: string[] } }
interface Player {
  room: Room<unknown, ArenaStateView>; playerId: string;
  acks: ChatAck[]; errors: ErrorMessage[]; notices: Array<ModerationNotice & { at: number }>; director: Array<DirectorMessage & { at: number }>;
}

let a: ServerProcess | undefined;
let b: ServerProcess | undefined;
let dropDatabase: (() => Promise<void>) | undefined;
const players: Player[] = [];

async function health(s: ServerProcess): Promise<Health> {
  return (await (await fetch(`${s.url}/health`)).json()) as Health;
}

async function join(via: ServerProcess, name: string): Promise<Player> {
  const room = await new Client(via.url.replace('http', 'ws')).create<ArenaStateView>(ARENA_ROOM, { name });
  const p: Player = { room, playerId: '', acks: [], errors: [], notices: [], director: [] };
  room.onMessage(ServerMessage.Welcome, (w: WelcomeMessage) => { p.playerId = w.playerId; });
  room.onMessage(ServerMessage.ChatAck, (m: ChatAck) => p.acks.push(m));
  room.onMessage(ServerMessage.Error, (e: ErrorMessage) => p.errors.push(e));
  room.onMessage(ServerMessage.Moderation, (n: ModerationNotice) => p.notices.push({ ...n, at: Date.now() }));
  room.onMessage(ServerMessage.Director, (m: DirectorMessage) => p.director.push({ ...m, at: Date.now() }));
  room.onMessage('*', () => undefined);
  await vi.waitFor(() => expect(p.playerId).not.toBe(''));
  players.push(p);
  return p;
}

const login = (s: ServerProcess) => staffHeaders(s, 'admin', ADMIN_PASSWORD);

describe.skipIf(skipReason !== undefined)('two server processes on Redis and PostgreSQL', () => {
  let playerOnA: Player | undefined;
  let playerOnB: Player | undefined;

  beforeAll(async () => {
    await redisCommands(REDIS_URL, [['FLUSHDB']]);
    const made = await postgres.create();
    dropDatabase = made.dispose;
    const env = { ADMIN_PASSWORD, INFERENCE: 'on', DATABASE_URL: made.url!, REDIS_URL };
    a = await startServerProcess({ env });
    b = await startServerProcess({ env });
    // B's chat model must be loaded for B to flag abuse.
    await waitForModels(b.url);
  }, 180_000);

  afterAll(async () => {
    for (const p of players) await p.room.leave().catch(() => undefined);
    await Promise.all([a?.stop(), b?.stop()]);
    await dropDatabase?.();
    await redisCommands(REDIS_URL, [['FLUSHDB']]);
  });

  it('a client matchmaking through process A lands in a room on process B', async () => {
    const [ha, hb] = [await health(a!), await health(b!)];
    expect(ha.process.mode).toBe('redis');
    expect(ha.process.id).not.toBe(hb.process.id);
    // A new room goes to the process with the fewest rooms: rooms created through A land on both.
    const [onA, onB] = await placeOn((i) => join(a!, `p${i}`), [a!, b!]);
    expect(onB).toBeDefined();
    expect(onA).toBeDefined();
    [playerOnA, playerOnB] = [onA, onB];
    // The client on B plays on B: its room's state streams.
    await vi.waitFor(() => expect(onB!.room.state.players?.size).toBe(1));
  }, 30_000);

  it('a flag raised on B reaches a console open on A, and a mute issued through A holds on B within 1 s', async () => {
    const auth = await login(a!);
    const flags: FlagSummary[] = [];
    const stream = new AbortController();
    const res = await fetch(`${a!.url}/api/moderation/stream`, { headers: auth, signal: stream.signal });
    void (async () => {
      const reader = res.body!.getReader();
      let buf = '';
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (done) return;
        buf += new TextDecoder().decode(value);
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const data = buf.slice(0, i).split('\n').find((l) => l.startsWith('data: '));
          buf = buf.slice(i + 2);
          if (data) flags.push(JSON.parse(data.slice(6)) as FlagSummary);
        }
      }
    })();

    const onB = playerOnB!;
    const sentAt = Date.now();
    onB.room.send(ClientMessage.Chat, { text: 'shut up you fucking idiot', clientId: 'abuse' });
    await vi.waitFor(() => expect(flags.some((f) => f.playerId === onB.playerId)).toBe(true), { timeout: 1_000, interval: 10 });
    console.log(`flag raised on B → console on A: ${Date.now() - sentAt} ms after the message was sent`);
    stream.abort();
    const flag = flags.find((f) => f.playerId === onB.playerId)!;

    const mutedAt = Date.now();
    const acted = await fetch(`${a!.url}/api/moderation/flags/${flag.id}/actions`, {
      method: 'POST', headers: auth, body: JSON.stringify({ action: 'mute', durationSeconds: 600, note: 'cluster test mute' }),
    });
    expect(acted.status).toBe(200);
    await vi.waitFor(() => expect(onB.notices.some((n) => n.kind === 'muted')).toBe(true), { timeout: 1_000, interval: 10 });
    console.log(`mute through A → notice on B: ${onB.notices.find((n) => n.kind === 'muted')!.at - mutedAt} ms`);
    // B enforces it: the next line is refused with the time left.
    onB.room.send(ClientMessage.Chat, { text: 'can anyone hear me' });
    await vi.waitFor(() => expect(onB.errors.some((e) => e.code === 'muted')).toBe(true), { timeout: 1_000, interval: 10 });
    expect(onB.errors.find((e) => e.code === 'muted')!.message).toMatch(/you are muted for \d+/);
    console.log(`mute through A → enforced on B: ${Date.now() - mutedAt} ms`);

    // Lifted through A: B tells the player and delivers their next line.
    const history = await (await fetch(`${a!.url}/api/moderation/players/${onB.playerId}`, { headers: auth })).json() as PlayerHistory;
    const mute = history.sanctions.find((x) => x.kind === 'mute')!;
    const liftedAt = Date.now();
    const lifted = await fetch(`${a!.url}/api/moderation/players/${onB.playerId}/sanctions/${mute.id}/lift`, {
      method: 'POST', headers: auth, body: JSON.stringify({ note: 'cluster test lift' }),
    });
    expect(lifted.status).toBe(200);
    await vi.waitFor(() => expect(onB.notices.some((n) => n.kind === 'unmuted')).toBe(true), { timeout: 1_000, interval: 10 });
    onB.room.send(ClientMessage.Chat, { text: 'thanks, back now', clientId: 'after-lift' });
    await vi.waitFor(() => expect(onB.acks.find((k) => k.clientId === 'after-lift')?.status).toBe('delivered'), { timeout: 2_000, interval: 10 });
    console.log(`lift through A → chat delivered on B: ${Date.now() - liftedAt} ms`);
  }, 30_000);

  it('a rule set published through A reaches rooms on both processes within 1 s', async () => {
    const [onA, onB] = [playerOnA!, playerOnB!];
    const auth = await login(a!);
    const everyone: RuleSet = {
      name: 'flat', rules: [{ id: 'cluster-flat', cooldownSeconds: 0, when: { input: 'room.players', op: '>=', value: 1 }, then: [{ knob: 'enemyDamage', set: 3 }] }],
    };
    const publishedAt = Date.now();
    const res = await fetch(`${a!.url}/api/designer/rulesets`, { method: 'POST', headers: auth, body: JSON.stringify({ ruleSet: everyone, note: 'cluster test' }) });
    expect(res.status).toBe(201);
    const { version } = (await res.json()) as { version: number };
    for (const [where, p] of [['A', onA], ['B', onB]] as const) {
      await vi.waitFor(() => {
        expect(p.director.some((m) => m.ruleId === 'cluster-flat' && m.ruleSetVersion === version)).toBe(true);
      }, { timeout: 1_000, interval: 10 });
      console.log(`publish through A → rule decision in a room on ${where}: ${p.director.find((m) => m.ruleId === 'cluster-flat')!.at - publishedAt} ms`);
    }
  }, 30_000);
});

/**
 * Nothing acknowledged is lost: the real server process is killed with SIGKILL while eight
 * players chat; after a restart on the same database every
 * message that had been acknowledged to its sender is stored, and so are the flag raised
 * and the moderator's mute issued before the crash — which still holds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, type Room } from '@colyseus/sdk';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  ARENA_ROOM, ClientMessage, ServerMessage,
  type ArenaStateView, type AuditEntry, type ChatAck, type ErrorMessage, type FlagSummary, type PlayerHistory, type WelcomeMessage,
} from '@pulse-arena/shared';
import { startServerProcess, waitForModels, type ServerProcess } from '../helpers/serverProcess.js';
import { implementations } from '../db/helpers.js';

/**
 * Both databases the server runs on: the embedded PGlite (`npm start`'s default, the server
 * given only a data folder) and PostgreSQL (DATABASE_URL; skipped without a test server).
 */
const databases = [
  { name: 'embedded PGlite', skipReason: undefined, url: async () => ({ url: undefined, dispose: async () => undefined }) },
  ...implementations.filter((i) => i.kind === 'postgres').map((i) => ({
    name: 'PostgreSQL', skipReason: i.skipReason, url: async () => { const made = await i.create(); return { url: made.url, dispose: made.dispose }; },
  })),
];

const ADMIN_PASSWORD = 'crash-test-admin';

async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  return ((await res.json()) as { token: string }).token;
}

interface Player { room: Room<unknown, ArenaStateView>; playerId: string; acks: ChatAck[]; errors: ErrorMessage[] }

async function joinPlayers(url: string, rooms: number, perRoom: number): Promise<Player[]> {
  const sdk = new Client(url.replace('http', 'ws'));
  const players: Player[] = [];
  for (let r = 0; r < rooms; r++) {
    let roomId = '';
    for (let i = 0; i < perRoom; i++) {
      const name = `p${r}${i}`;
      const room = roomId ? await sdk.joinById<ArenaStateView>(roomId, { name }) : await sdk.create<ArenaStateView>(ARENA_ROOM, { name });
      roomId = room.roomId;
      const p: Player = { room, playerId: '', acks: [], errors: [] };
      room.onMessage(ServerMessage.Welcome, (w: WelcomeMessage) => { p.playerId = w.playerId; });
      room.onMessage(ServerMessage.ChatAck, (a: ChatAck) => p.acks.push(a));
      room.onMessage(ServerMessage.Error, (e: ErrorMessage) => p.errors.push(e));
      room.onMessage('*', () => undefined);
      players.push(p);
    }
  }
  await vi.waitFor(() => expect(players.every((p) => p.playerId)).toBe(true));
  return players;
}

describe.each(databases)('kill -9 while chat flows ($name)', (database) => {
  let dataDir = '';
  let server: ServerProcess | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;

  afterAll(async () => {
    await server?.stop();
    await dropDatabase?.();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it.skipIf(database.skipReason !== undefined)('keeps every acknowledged message, flag and moderator action', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'pulse-crash-'));
    const made = await database.url();
    dropDatabase = made.dispose;
    const env: Record<string, string> = { ADMIN_PASSWORD, INFERENCE: 'on', ...(made.url && { DATABASE_URL: made.url }) };
    server = await startServerProcess({ dataDir, env });
    await waitForModels(server.url);
    const token = await login(server.url);
    const players = await joinPlayers(server.url, 2, 4);

    // Before the crash: a flag, and a mute on its author.
    const offender = players[7]!;
    offender.room.send(ClientMessage.Chat, { text: 'you are a worthless idiot, uninstall and kys', clientId: 'abuse' });
    await vi.waitFor(() => expect(offender.acks.some((a) => a.clientId === 'abuse')).toBe(true), { timeout: 15_000 })
      .catch((err: unknown) => { throw new Error(`no ack for the abusive line (errors: ${JSON.stringify(offender.errors)}); server log:\n${server!.output().slice(-4000)}`, { cause: err }); });
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const flags = (await (await fetch(`${server.url}/api/moderation/flags`, { headers: auth })).json()) as FlagSummary[];
    const flag = flags.find((f) => f.playerId === offender.playerId)!;
    expect(flag).toBeDefined();
    const muted = await fetch(`${server.url}/api/moderation/flags/${flag.id}/actions`, {
      method: 'POST', headers: auth, body: JSON.stringify({ action: 'mute', durationSeconds: 3600, note: 'crash test mute' }),
    });
    expect(muted.status).toBe(200);

    // Seven players chat as fast as the rate limit allows (5 at once, then one every 2 s)...
    const talkers = players.slice(0, 7);
    let n = 0;
    const send = () => { for (const p of talkers) p.room.send(ClientMessage.Chat, { text: `line ${n} from ${p.room.sessionId}`, clientId: `m${n++}` }); };
    for (let i = 0; i < 5; i++) send();
    const timer = setInterval(send, 2_050);
    // ...and the server dies mid-flow, with messages in every stage of the pipeline.
    await new Promise((r) => setTimeout(r, 4_300));
    send();
    server.child.kill('SIGKILL');
    clearInterval(timer);
    await new Promise((r) => server!.child.once('exit', r));
    const acked = talkers.flatMap((p) => p.acks.map((a) => ({ playerId: p.playerId, id: a.id })));
    console.log(`killed with ${acked.length} messages acknowledged of ${n} sent`);
    expect(acked.length).toBeGreaterThanOrEqual(35);

    // Restart on the same data folder.
    server = await startServerProcess({ dataDir, env });
    const token2 = await login(server.url);
    const auth2 = { authorization: `Bearer ${token2}` };
    const missing: string[] = [];
    for (const p of talkers) {
      const history = (await (await fetch(`${server.url}/api/moderation/players/${p.playerId}`, { headers: auth2 })).json()) as PlayerHistory;
      const stored = new Set(history.chat.map((c) => c.id));
      for (const a of acked) if (a.playerId === p.playerId && !stored.has(a.id)) missing.push(a.id);
    }
    if (missing.length) {
      const order = talkers.flatMap((p) => p.acks.map((a) => ({ id: a.id, clientId: a.clientId, status: a.status })));
      console.log('missing', missing, 'among', JSON.stringify(order.filter((o) => missing.includes(o.id))));
    }
    expect(missing).toEqual([]);
    const after = (await (await fetch(`${server.url}/api/moderation/flags?status=all`, { headers: auth2 })).json()) as FlagSummary[];
    expect(after.find((f) => f.id === flag.id)).toMatchObject({ status: 'resolved' });
    const audit = (await (await fetch(`${server.url}/api/moderation/audit?flagId=${flag.id}`, { headers: auth2 })).json()) as AuditEntry[];
    expect(audit.map((a) => a.action)).toEqual(['mute']);
    // The mute survived the crash: the offender rejoins and is still refused.
    const [back] = await (async () => {
      const sdk = new Client(server!.url.replace('http', 'ws'));
      const room = await sdk.create<ArenaStateView>(ARENA_ROOM, { name: 'again', playerId: offender.playerId });
      const errors: ErrorMessage[] = [];
      room.onMessage(ServerMessage.Error, (e: ErrorMessage) => errors.push(e));
      room.onMessage('*', () => undefined);
      room.send(ClientMessage.Chat, { text: 'am i still muted' });
      await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), { timeout: 5_000 });
      await room.leave();
      return [errors];
    })();
    expect(back![0]!.code).toBe('muted');
  }, 240_000);
});

/**
 * The server as `npm start` runs it (a real process, embedded database): a player plays
 * and chats, SIGTERM drains it, and everything it acknowledged is in the database after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Client } from '@colyseus/sdk';
import { ARENA_ROOM, ClientMessage, ServerMessage, type ArenaStateView, type ChatBroadcast, type WelcomeMessage } from '@pulse-arena/shared';
import { openDatabase } from '../../server/src/db/database.js';
import { createQueries } from '../../server/src/db/queries.js';
import { startServerProcess } from '../helpers/serverProcess.js';

const dirs: string[] = [];
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

describe('server process lifecycle', () => {
  it('serves /health, then on SIGTERM flushes every acknowledged write and exits 0; it logs JSON lines with room and request ids', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pulse-life-'));
    dirs.push(dataDir);
    const server = await startServerProcess({ dataDir, env: { LOG_LEVEL: 'debug' } });
    const healthRes = await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'probe-42' } });
    expect(healthRes.headers.get('x-request-id')).toBe('probe-42');
    const health = await healthRes.json() as { status: string; db: { kind: string } };
    expect(health).toMatchObject({ status: 'ok', db: { kind: 'pglite' } });
    // A request id that is not a sane token is replaced, never echoed into the logs.
    const odd = await fetch(`${server.url}/api/rooms`, { headers: { 'x-request-id': 'x'.repeat(65) } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Credentials sent with a request never reach the log.
    const basic = Buffer.from('admin:hunter2-secret').toString('base64');
    const refused = await fetch(`${server.url}/monitor/`, { headers: { authorization: `Basic ${basic}` } });
    expect(refused.status).toBe(401);

    const sdk = new Client(`ws://127.0.0.1:${server.port}`);
    const room = await sdk.create<ArenaStateView>(ARENA_ROOM, { name: 'Ada', roomName: 'Lifecycle' });
    let welcome: WelcomeMessage | undefined;
    room.onMessage(ServerMessage.Welcome, (m: WelcomeMessage) => { welcome = m; });
    const heard: ChatBroadcast[] = [];
    room.onMessage(ServerMessage.Chat, (m: ChatBroadcast) => heard.push(m));
    await vi.waitFor(() => expect(welcome).toBeDefined());
    for (const text of ['hello', 'wave one', 'gg']) room.send(ClientMessage.Chat, { text });
    await vi.waitFor(() => expect(heard).toHaveLength(3));
    room.reconnection.enabled = false;

    // A second process on the same data folder is refused while this one runs.
    await expect(startServerProcess({ dataDir })).rejects.toThrow(/in use/);

    expect(await server.stop()).toBe(0);
    const lines = server.output().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const line of lines) expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
    expect(lines).toContainEqual(expect.objectContaining({ component: 'room', roomId: room.roomId, msg: 'room created' }));
    expect(lines).toContainEqual(expect.objectContaining({ component: 'http', reqId: 'probe-42', res: { status: 200 } }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', component: 'http', req: { method: 'GET', path: '/monitor/' }, res: { status: 401 } }));
    expect(server.output()).not.toContain('hunter2');
    expect(server.output()).not.toContain(basic);
    expect(lines.at(-1)).toMatchObject({ component: 'server', msg: expect.stringMatching(/writes flushed/) });

    const db = await openDatabase({ dataDir: path.join(dataDir, 'pglite') });
    try {
      expect(db.appliedMigrations).toEqual([]); // the second start applies nothing
      const queries = createQueries(db.prisma);
      const chat = await queries.recentChat(room.roomId);
      expect(chat.map((c) => c.text)).toEqual(['hello', 'wave one', 'gg']);
      expect(chat.map((c) => c.id)).toEqual(heard.map((h) => h.id));
      const player = await queries.getPlayer(welcome!.playerId);
      expect(player?.name).toBe('Ada');
      const matchId = chat[0]!.matchId!;
      const match = await queries.getMatch(matchId);
      expect(match?.roomId).toBe(room.roomId);
      expect(match?.endedAt).toBeInstanceOf(Date); // the room was disposed and its match closed
      expect(match?.players.map((p) => p.playerId)).toEqual([welcome!.playerId]);
    } finally {
      await db.close();
    }
  }, 120_000);
});

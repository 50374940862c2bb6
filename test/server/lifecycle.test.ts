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
  it('serves /health, then on SIGTERM flushes every acknowledged write and exits 0', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pulse-life-'));
    dirs.push(dataDir);
    const server = await startServerProcess({ dataDir });
    const health = await (await fetch(`${server.url}/health`)).json() as { status: string; db: { kind: string } };
    expect(health).toMatchObject({ status: 'ok', db: { kind: 'pglite' } });

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
    expect(server.output()).toMatch(/writes flushed/);

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

/**
 * The reference point of `npm run loadtest -- --bare`: a bare Colyseus 0.18 server with the
 * arena's room name, state schema, tick and patch rates — 4 players a room, 20 enemies
 * drifting — and nothing else: no simulation beyond moving players by their input, no
 * models, no director, no chat pipeline, no database. What it costs per client-second on
 * a machine is the floor the real server is compared with on that machine.
 *
 *   PORT=2570 HOST=127.0.0.1 node --import tsx test/bench/bareServer.ts   (the harness starts it)
 */
import { defineRoom, defineServer, Room, type Client } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { ARENA_ROOM, MAX_PLAYERS_PER_ROOM, parseInput, TICK_MS, TICK_RATE } from '@pulse-arena/shared';
import { ArenaState, EnemyState, PlayerState } from '../../server/src/rooms/ArenaState.js';

const ENEMIES = 20;
const SPEED = 6 / TICK_RATE;

class BareArenaRoom extends Room {
  override maxClients = MAX_PLAYERS_PER_ROOM;
  override state = new ArenaState();
  private ticks = 0;
  private readonly moves = new Map<string, [number, number]>();

  override messages = {
    input: (client: Client, raw: unknown) => {
      const parsed = parseInput(raw);
      if (parsed.ok) this.moves.set(client.sessionId, [parsed.value.moveX, parsed.value.moveY]);
    },
    chat: () => undefined,
    _: () => undefined,
  };

  override onCreate(): void {
    this.patchRate = TICK_MS;
    for (let i = 0; i < ENEMIES; i++) this.state.enemies.set(String(i), new EnemyState({ kind: 'chaser', x: 10 + i, y: 10, hp: 30 }));
    this.setSimulationInterval(() => this.tick(), TICK_MS);
  }

  override onJoin(client: Client): void {
    this.state.players.set(client.sessionId, new PlayerState({ name: client.sessionId, x: 20, y: 15, hp: 100 }));
  }

  override onLeave(client: Client): void {
    this.state.players.delete(client.sessionId);
    this.moves.delete(client.sessionId);
  }

  private tick(): void {
    this.ticks++;
    this.state.tick = this.ticks;
    this.state.enemies.forEach((e, id) => {
      const phase = this.ticks / 20 + Number(id);
      e.x += Math.cos(phase) * SPEED;
      e.y += Math.sin(phase) * SPEED;
    });
    for (const [sessionId, [mx, my]] of this.moves) {
      const p = this.state.players.get(sessionId);
      if (!p) continue;
      p.x = Math.min(40, Math.max(0, p.x + mx * SPEED));
      p.y = Math.min(30, Math.max(0, p.y + my * SPEED));
    }
  }
}

const server = defineServer({
  rooms: { [ARENA_ROOM]: defineRoom(BareArenaRoom) },
  transport: new WebSocketTransport(),
  greet: false,
  express: (app) => { app.get('/health', (_req, res) => void res.json({ status: 'ok', bare: true })); },
});
await server.listen(Number(process.env.PORT ?? 2570), process.env.HOST ?? '127.0.0.1');

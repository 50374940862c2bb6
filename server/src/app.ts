/**
 * The game server's composition: the arena room, the HTTP routes, and the services they
 * use. `createArenaServer` returns an unstarted Colyseus server, so `main.ts` can listen on
 * a port and tests can hand it to `@colyseus/testing`'s `boot()`.
 */
import './node20.js';
import { defineRoom, defineServer, type Server } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { ARENA_ROOM } from '@pulse-arena/shared';
import { mountRoutes, type HealthSource } from './http/routes.js';
import { ArenaRoom, setArenaServices } from './rooms/ArenaRoom.js';
import type { GameRecorder } from './rooms/gameRecorder.js';
import { serverStats } from './stats.js';

export interface ArenaServerOptions {
  recorder: GameRecorder | null;
  health: HealthSource;
  clientDist: string;
  monitorPassword: string;
  /** Install SIGTERM/SIGINT handlers that drain rooms and exit (off in tests). */
  handleSignals: boolean;
  /** Runs after rooms are disposed on shutdown: flush queues, close the database. */
  onShutdown?: () => Promise<void>;
}

export function createArenaServer(opts: ArenaServerOptions): Server {
  setArenaServices({ recorder: opts.recorder });
  serverStats.startEventLoopMonitor();
  const server = defineServer({
    rooms: { [ARENA_ROOM]: defineRoom(ArenaRoom) },
    // 4 KiB frames: the biggest legitimate message is a 200-character chat line.
    transport: new WebSocketTransport({ maxPayload: 4 * 1024 }),
    gracefullyShutdown: opts.handleSignals,
    greet: false,
    express: (app) => mountRoutes(app, opts),
  });
  if (opts.onShutdown) server.onShutdown(opts.onShutdown);
  return server;
}

/**
 * The game server's composition: the arena room, the HTTP routes, and the services they
 * use. `createArenaServer` returns an unstarted Colyseus server, so `main.ts` can listen on
 * a port and tests can hand it to `@colyseus/testing`'s `boot()`.
 */
import './node20.js';
import { defineRoom, defineServer, type matchMaker, type Presence, type Server, type Transport } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { ARENA_ROOM } from '@pulse-arena/shared';
import { mountRoutes, type HealthSource } from './http/routes.js';
import { ArenaRoom, setArenaServices } from './rooms/ArenaRoom.js';
import { roomPlacement } from './rooms/capacity.js';
import type { InferenceService } from './inference/types.js';
import type { GameRecorder } from './rooms/gameRecorder.js';
import type { Accounts } from './auth/accounts.js';
import { OpenRooms } from './director/recommender.js';
import type { RuleRegistry } from './director/ruleRegistry.js';
import type { PrismaClient } from './generated/prisma/client.js';
import type { ChatPolicy } from './moderation/chatPipeline.js';
import type { Moderation } from './moderation/moderation.js';
import { serverStats } from './stats.js';
import { log } from './log.js';
import { startClusterSweep } from './cluster/sweep.js';

export interface ArenaServerOptions {
  recorder: GameRecorder | null;
  /** Behavior and chat models; null runs the game without them. */
  inference?: InferenceService | null;
  /** Ticks between two classifications of each player's window (default once a second). */
  classifyEveryTicks?: number;
  /** The most players this process takes (default none); see rooms/capacity.ts. */
  maxPlayers?: number | null;
  health: HealthSource;
  clientDist: string;
  monitorPassword: string;
  /** Install SIGTERM/SIGINT handlers that drain rooms and exit (off in tests). */
  handleSignals: boolean;
  /** Runs after rooms are disposed on shutdown: flush queues, close the database. */
  onShutdown?: () => Promise<void>;
  /** A transport other than the default `ws` one (see {@link createTransport}). */
  transport?: Transport;
  /** Bearer key of the /v1/models API (default $MODEL_API_KEY, else generated and logged). */
  modelApiKey?: string;
  /** Designer rules for the director; null runs rooms on fixed default knobs. */
  rules?: RuleRegistry | null;
  /** Staff accounts for the consoles (null: no logins). */
  accounts?: Accounts | null;
  /** Database for the decision log, dry runs and player profiles. */
  prisma?: PrismaClient | null;
  /** Durable chat, flags and sanctions (null: chat is neither stored nor moderated). */
  moderation?: Moderation | null;
  chatPolicy?: ChatPolicy;
  /** Each new room's world seed (default random; see ArenaServices.worldSeed). */
  worldSeed?: () => number;
  /** Scale-out: this process is one of several sharing Redis (presence, driver) and the database. */
  cluster?: { presence: Presence; driver: matchMaker.MatchMakerDriver; publicAddress: string } | null;
}

/** 4 KiB frames: the biggest legitimate message is a 200-character chat line. */
const MAX_FRAME_BYTES = 4 * 1024;

/**
 * The WebSocket transport. `uws` loads @colyseus/uwebsockets-transport only if it is
 * installed: its uWebSockets.js is distributed through GitHub alone, so it is never a
 * dependency of this project.
 * @throws Error explaining how to install it when `uws` is asked for and missing.
 */
export async function createTransport(kind: 'ws' | 'uws'): Promise<Transport> {
  if (kind === 'ws') return new WebSocketTransport({ maxPayload: MAX_FRAME_BYTES });
  const moduleName = '@colyseus/uwebsockets-transport';
  try {
    const mod = (await import(moduleName)) as { uWebSocketsTransport: new (opts: object) => Transport };
    return new mod.uWebSocketsTransport({ maxPayloadLength: MAX_FRAME_BYTES });
  } catch (err) {
    throw new Error(`TRANSPORT=uws needs ${moduleName} and the official uWebSockets.js build installed `
      + `(npm install ${moduleName}); it could not be loaded: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function createArenaServer(opts: ArenaServerOptions): Server {
  const rooms = new OpenRooms();
  rooms.start();
  setArenaServices({
    recorder: opts.recorder, inference: opts.inference ?? null, rules: opts.rules ?? null, roomFinder: rooms,
    moderation: opts.moderation ?? null, ...(opts.chatPolicy && { chatPolicy: opts.chatPolicy }), accounts: opts.accounts ?? null,
    ...(opts.classifyEveryTicks !== undefined && { classifyEveryTicks: opts.classifyEveryTicks }),
    maxPlayers: opts.maxPlayers ?? null, lockRoomsWhenFull: Boolean(opts.cluster),
    ...(opts.worldSeed && { worldSeed: opts.worldSeed }),
  });
  serverStats.startEventLoopMonitor();
  const placement = roomPlacement(opts.maxPlayers ?? null);
  const server = defineServer({
    rooms: { [ARENA_ROOM]: defineRoom(ArenaRoom) },
    transport: opts.transport ?? new WebSocketTransport({ maxPayload: MAX_FRAME_BYTES }),
    gracefullyShutdown: opts.handleSignals,
    greet: false,
    logger: log.child({ component: 'colyseus' }),
    ...(opts.cluster && { presence: opts.cluster.presence, driver: opts.cluster.driver, publicAddress: opts.cluster.publicAddress }),
    ...(placement && { selectProcessIdToCreateRoom: placement }),
    express: (app) => mountRoutes(app, { ...opts, rooms }),
  });
  // Scale-out: rooms and players of a process that died unannounced leave the cluster within seconds.
  const stopSweep = opts.cluster ? startClusterSweep() : () => undefined;
  server.onShutdown(async () => {
    stopSweep();
    rooms.stop();
    await opts.onShutdown?.();
  });
  return server;
}

/**
 * Plain HTTP routes beside the game: health, the lobby's room list, the monitor, and the
 * built client. Express is the ws transport's own app, so everything shares one port.
 */
import express, { type Application, type RequestHandler } from 'express';
import { existsSync } from 'node:fs';
import { matchMaker } from '@colyseus/core';
import { monitor } from '@colyseus/monitor';
import { ARENA_ROOM, type ArenaMetadata, type RoomListing } from '@pulse-arena/shared';
import { serverStats } from '../stats.js';
import { arenaCapacity } from '../rooms/ArenaRoom.js';
import { deploymentCapacity } from '../rooms/capacity.js';
import { installMetrics, metricsRegistry } from '../metrics.js';
import type { InferenceService } from '../inference/types.js';
import { requireBasicAuth } from './basicAuth.js';
import { requireBearer } from './bearerAuth.js';
import { internalErrors, requestLogger } from './requestLog.js';
import { createModelApiRouter, inferenceHealth } from './modelApi.js';
import { createDesignerRouter } from './designerRoutes.js';
import { createSessionRouter } from './sessionAuth.js';
import { createModerationRouter } from './moderationRoutes.js';
import type { Moderation } from '../moderation/moderation.js';
import type { Accounts } from '../auth/accounts.js';
import type { OpenRooms } from '../director/recommender.js';
import type { RuleRegistry } from '../director/ruleRegistry.js';
import type { PrismaClient } from '../generated/prisma/client.js';

export const VERSION = '0.1.0';
const startedAt = Date.now();

export interface HealthSource {
  /** Which database is behind the server. */
  dbKind: 'pglite' | 'postgres' | 'none';
  /** True when the database answers. */
  dbOk(): Promise<boolean>;
  /** Backlog of the write-behind queue. */
  writeBacklog(): number;
  /** Writes the write-behind queue has stored since start (a backlog is drained once this passed it). */
  writesStored(): number;
}

export interface RouteOptions {
  health: HealthSource;
  clientDist: string;
  monitorPassword: string;
  /** Models served to rooms and, under /v1/models, over HTTP (none → no model API). */
  inference?: InferenceService | null;
  /** Bearer key of the model-serving API (default $MODEL_API_KEY, else generated and logged). */
  modelApiKey?: string;
  /** Staff accounts (null: no database, so no logins). */
  accounts?: Accounts | null;
  /** The live designer rules (null: no director). */
  rules?: RuleRegistry | null;
  /** The database, for the decision log, dry runs and player profiles. */
  prisma?: PrismaClient | null;
  rooms: OpenRooms;
  /** Flags, sanctions, durable chat (null: no database). */
  moderation?: Moderation | null;
  /** Set when this process is one of several (Redis presence and driver). */
  cluster?: { publicAddress: string } | null;
}

export function mountRoutes(app: Application, opts: RouteOptions): void {
  app.disable('x-powered-by');
  app.use(requestLogger());

  // Open flags are counted in the database at most every 5 s, however often Prometheus scrapes.
  let flagCount: { at: number; n: Promise<number | null> } = { at: -Infinity, n: Promise.resolve(null) };
  installMetrics({
    inference: opts.inference ?? null,
    writeBacklog: () => opts.health.writeBacklog(),
    capacity: arenaCapacity,
    openFlags: () => {
      if (!opts.moderation) return Promise.resolve(null);
      if (Date.now() - flagCount.at > 5_000) flagCount = { at: Date.now(), n: opts.moderation.openFlagCount().catch(() => null) };
      return flagCount.n;
    },
  });
  // Prometheus scrapes this; with METRICS_TOKEN set it must send that bearer token.
  const metricsToken = process.env.METRICS_TOKEN?.trim();
  const metricsAuth: RequestHandler = metricsToken ? requireBearer(metricsToken, 'metrics', 'metrics token (METRICS_TOKEN)') : (_req, _res, next) => next();
  app.get('/metrics', metricsAuth, async (_req, res) => {
    res.set('content-type', metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });

  app.get('/health', async (_req, res) => {
    const rooms = await matchMaker.query({});
    const clients = rooms.reduce((n, r) => n + r.clients, 0);
    const dbOk = await opts.health.dbOk().catch(() => false);
    const [p50, p99, max] = serverStats.tickMs.percentiles(50, 99, 100);
    const round = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : Math.round(v * 1000) / 1000);
    const loop = serverStats.eventLoopDelay();
    const capacity = arenaCapacity();
    res.json({
      status: dbOk ? 'ok' : 'degraded',
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      db: { kind: opts.health.dbKind, ok: dbOk, writeBacklog: opts.health.writeBacklog(), writesStored: opts.health.writesStored() },
      rooms: rooms.length,
      clients,
      // Rooms and clients above are the whole cluster's; `process` is this process's share.
      process: {
        id: matchMaker.processId,
        mode: opts.cluster ? 'redis' : 'single',
        ...(opts.cluster && { publicAddress: opts.cluster.publicAddress }),
        roomIds: rooms.filter((r) => r.processId === matchMaker.processId).map((r) => r.roomId).slice(0, 200),
        // MAX_PLAYERS: at the limit, new players are refused as "server full" (see rooms/capacity.ts).
        players: capacity.players(performance.now()),
        maxPlayers: capacity.limit,
        joinsRefusedFull: capacity.refused,
      },
      tickMs: { p50: round(p50), p99: round(p99), max: round(max), samples: serverStats.tickMs.count },
      directorMs: (() => {
        const [d50, d99, dmax] = serverStats.directorMs.percentiles(50, 99, 100);
        return { p50: round(d50), p99: round(d99), max: round(dmax), samples: serverStats.directorMs.count, ruleSetVersion: opts.rules?.live.version ?? null };
      })(),
      eventLoopLagMs: { p50: round(loop.p50), p99: round(loop.p99), max: round(loop.max) },
      rssMB: Math.round(process.memoryUsage().rss / 1048576),
      rejectedMessages: { ...serverStats.rejected, total: serverStats.totalRejected() },
      inference: inferenceHealth(opts.inference),
    });
  });

  // The lobby polls this beside the room list, to tell players the server is full before they try.
  app.get('/api/capacity', async (_req, res) => {
    res.json(await deploymentCapacity(arenaCapacity(), performance.now()));
  });

  app.get('/api/rooms', async (_req, res) => {
    const rooms = await matchMaker.query({ name: ARENA_ROOM, private: false });
    const listing: RoomListing[] = rooms
      .filter((r) => !r.locked)
      .map((r) => ({
        roomId: r.roomId,
        roomName: (r.metadata as ArenaMetadata | undefined)?.roomName ?? r.roomId,
        clients: r.clients,
        maxClients: r.maxClients,
        wave: (r.metadata as ArenaMetadata | undefined)?.wave ?? 0,
        difficulty: (r.metadata as ArenaMetadata | undefined)?.difficulty ?? 0,
      }));
    res.json(listing);
  });

  app.use(createSessionRouter(opts.accounts ?? null));
  app.use(createModerationRouter(opts.accounts ?? null, opts.moderation ?? null));
  app.use(createDesignerRouter({
    accounts: opts.accounts ?? null, rules: opts.rules ?? null, prisma: opts.prisma ?? null, rooms: opts.rooms, inference: opts.inference ?? null,
  }));

  if (opts.inference) app.use(createModelApiRouter({ inference: opts.inference, apiKey: opts.modelApiKey }));

  const adminOnly = requireBasicAuth('admin', opts.monitorPassword, 'Pulse Arena admin');
  app.use('/monitor', adminOnly, monitor());
  // Starts a fresh window for the tick and event-loop figures in /health (benchmarks use it).
  app.post('/admin/stats/reset', adminOnly, (_req, res) => {
    serverStats.resetWindow();
    res.status(204).end();
  });

  if (existsSync(opts.clientDist)) {
    // The consoles are pages of the client build.
    for (const page of ['designer', 'moderator']) {
      app.get([`/${page}`, `/${page}/`], (_req, res) => {
        res.setHeader('Cache-Control', 'no-cache');
        res.sendFile(`${page}.html`, { root: opts.clientDist });
      });
    }
    app.use(express.static(opts.clientDist, { index: 'index.html', maxAge: '1h', setHeaders: noCacheHtml }));
  } else {
    app.get('/', (_req, res) => {
      res.status(503).type('text').send('The client is not built: run `npm run build:client`.');
    });
  }
  app.use(internalErrors);
}

function noCacheHtml(res: express.Response, file: string): void {
  if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
}

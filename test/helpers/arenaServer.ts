/**
 * Boots the real arena server (same composition as `npm start`) on @colyseus/testing's
 * port, with real SDK clients. The database is optional: room tests that do not test
 * persistence run without one; database tests pass a real recorder.
 */
import { boot, type ColyseusTestServer } from '@colyseus/testing';
import { Client, type Room as SdkRoom } from '@colyseus/sdk';
import { expect, vi } from 'vitest';
import { ARENA_ROOM, type ArenaStateView, type JoinOptions } from '@pulse-arena/shared';
import { createArenaServer } from '../../server/src/app.js';
import type { InferenceService } from '../../server/src/inference/types.js';
import type { GameRecorder } from '../../server/src/rooms/gameRecorder.js';
import { RuleRegistry } from '../../server/src/director/ruleRegistry.js';
import { MemoryRuleStore } from '../../server/src/director/ruleStore.js';
import type { Accounts } from '../../server/src/auth/accounts.js';
import type { PrismaClient } from '../../server/src/generated/prisma/client.js';
import type { Moderation } from '../../server/src/moderation/moderation.js';
import type { ChatPolicy } from '../../server/src/moderation/chatPipeline.js';

export interface BootedArena {
  colyseus: ColyseusTestServer;
  /** Base HTTP URL, e.g. http://127.0.0.1:2568 */
  http: string;
  sdk(): Client;
  /** The live designer rules the rooms run (in memory unless `BootModels.rules` was given). */
  rules: RuleRegistry;
  /** A new SDK client creates an arena room (or joins `roomId`) and waits until its player is in the state. */
  join(name: string, roomId?: string, options?: Omit<JoinOptions, 'name'>): Promise<ArenaClientRoom>;
  shutdown(): Promise<void>;
}

export type ArenaClientRoom = SdkRoom<unknown, ArenaStateView>;

/** Models for the rooms and the /v1/models API (off by default), that API's key, and how often rooms classify players. */
export interface BootModels {
  inference?: InferenceService | null;
  modelApiKey?: string;
  classifyEveryTicks?: number;
  /** Designer rules; default: a fresh in-memory store with the default rule set as version 1. */
  rules?: RuleRegistry;
  accounts?: Accounts | null;
  prisma?: PrismaClient | null;
  /** Durable chat, flags and sanctions (default none: chat is delivered, not stored). */
  moderation?: Moderation | null;
  /** Chat policy thresholds (default: the server's). */
  chatPolicy?: ChatPolicy;
  /** The process's player limit (MAX_PLAYERS; default none). */
  maxPlayers?: number;
  /** Each new room's world seed (default random): pinned where a test needs the same waves every run. */
  worldSeed?: () => number;
}

export async function bootArena(recorder: GameRecorder | null = null, models: BootModels = {}): Promise<BootedArena> {
  const rules = models.rules ?? await RuleRegistry.open(new MemoryRuleStore());
  const server = createArenaServer({
    recorder,
    rules,
    accounts: models.accounts ?? null,
    prisma: models.prisma ?? null,
    moderation: models.moderation ?? null,
    ...(models.chatPolicy && { chatPolicy: models.chatPolicy }),
    inference: models.inference ?? null,
    ...(models.modelApiKey !== undefined && { modelApiKey: models.modelApiKey }),
    ...(models.classifyEveryTicks !== undefined && { classifyEveryTicks: models.classifyEveryTicks }),
    ...(models.maxPlayers !== undefined && { maxPlayers: models.maxPlayers }),
    ...(models.worldSeed && { worldSeed: models.worldSeed }),
    health: { dbKind: 'none', dbOk: async () => true, writeBacklog: () => 0, writesStored: () => 0 },
    clientDist: '/nonexistent',
    monitorPassword: 'test-monitor-password',
    handleSignals: false,
  });
  const colyseus = await boot(server);
  const port = (server as unknown as { port: number }).port;
  const sdk = (): Client => new Client(`ws://127.0.0.1:${port}`);
  return {
    colyseus,
    http: `http://127.0.0.1:${port}`,
    sdk,
    rules,
    async join(name, roomId, options = {}) {
      const room = roomId
        ? await sdk().joinById<ArenaStateView>(roomId, { ...options, name })
        : await sdk().create<ArenaStateView>(ARENA_ROOM, { ...options, name });
      await vi.waitFor(() => expect(room.state.players?.get(room.sessionId)).toBeDefined());
      return room as ArenaClientRoom;
    },
    shutdown: () => colyseus.shutdown(),
  };
}

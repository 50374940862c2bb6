/**
 * Boots the real arena server (same composition as `npm start`) on @colyseus/testing's
 * port, with real SDK clients. The database is optional: room tests that do not test
 * persistence run without one; database tests pass a real recorder.
 */
import { boot, type ColyseusTestServer } from '@colyseus/testing';
import { Client } from '@colyseus/sdk';
import { createArenaServer } from '../../server/src/app.js';
import type { GameRecorder } from '../../server/src/rooms/gameRecorder.js';

export interface BootedArena {
  colyseus: ColyseusTestServer;
  /** Base HTTP URL, e.g. http://127.0.0.1:2568 */
  http: string;
  sdk(): Client;
  shutdown(): Promise<void>;
}

export async function bootArena(recorder: GameRecorder | null = null): Promise<BootedArena> {
  const server = createArenaServer({
    recorder,
    health: { dbKind: 'none', dbOk: async () => true, writeBacklog: () => 0 },
    clientDist: '/nonexistent',
    monitorPassword: 'test-monitor-password',
    handleSignals: false,
  });
  const colyseus = await boot(server);
  const port = (server as unknown as { port: number }).port;
  return {
    colyseus,
    http: `http://127.0.0.1:${port}`,
    sdk: () => new Client(`ws://127.0.0.1:${port}`),
    shutdown: () => colyseus.shutdown(),
  };
}

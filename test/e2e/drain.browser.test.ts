/**
 * The game client in a real browser when its server drains (scale-out: two server
 * processes, a private Redis, PostgreSQL). The page plays in a room on process B; B gets
 * SIGTERM; the page says it is moving, matchmakes again by itself through the address it
 * was loaded from (process A) and plays on in a room there, as the same player.
 */
import { execFileSync } from 'node:child_process';
import { Client, type Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARENA_ROOM, type ArenaStateView } from '@pulse-arena/shared';
import type {} from '../../client/src/testHook.js'; // types window.__pulseArena
import { launchChromium, type ChromiumSession } from './chromium.js';
import { REPO_ROOT } from '../helpers/serverProcess.js';
import { localRooms, privateClusterSkipReason, startPrivateCluster, type PrivateCluster } from '../helpers/cluster.js';

const WAIT = { timeout: 30_000 };

describe.skipIf(privateClusterSkipReason !== undefined)('a drained server in the browser', () => {
  let cluster: PrivateCluster | undefined;
  let browser: ChromiumSession | undefined;
  const others: Array<Room<unknown, ArenaStateView>> = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-client.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
    cluster = await startPrivateCluster('drain-browser-admin');
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const r of others) await r.leave().catch(() => undefined);
    await browser?.close();
    await cluster?.close();
  }, 60_000);

  it('moves the player to a room on the other process, with the same player id, and plays on', async () => {
    const { a, b } = cluster!;
    const page = browser!.page;
    const hook = () => page.evaluate(() => {
      const h = window.__pulseArena!;
      return { phase: h.phase, roomId: h.roomId, playerId: h.playerId, connection: h.connection, own: h.ownPosition() };
    });
    await page.goto(a.url);
    await page.locator('#name-input').fill('Mover');
    // A new room goes to the process with the fewest rooms: until the page's lands on B,
    // give A another room and create again.
    let roomId: string | null = null;
    for (let attempt = 0; attempt < 6 && roomId === null; attempt++) {
      await page.locator('#create-room').click();
      await page.waitForFunction(() => window.__pulseArena?.phase === 'playing' && window.__pulseArena.playerId !== null, undefined, WAIT);
      const view = await hook();
      if ((await localRooms(b)).includes(view.roomId!)) roomId = view.roomId;
      else {
        await page.locator('#leave-room').click();
        others.push(await new Client(a.url.replace('http', 'ws')).create<ArenaStateView>(ARENA_ROOM, { name: `filler${attempt}` }));
        await new Promise((r) => setTimeout(r, 400)); // room counts reach Redis
      }
    }
    expect(roomId).not.toBeNull();
    const before = await hook();

    const exit = b.stop();
    await page.waitForFunction((old) => window.__pulseArena?.phase === 'playing' && window.__pulseArena.roomId !== old
      && window.__pulseArena.connection === 'open' && window.__pulseArena.ownPosition() !== null, roomId, WAIT);
    expect(await exit).toBe(0);
    const after = await hook();
    expect(after.playerId).toBe(before.playerId);
    expect(await localRooms(a)).toContain(after.roomId);
  }, 120_000);
});

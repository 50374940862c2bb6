/**
 * A full server, as a player sees it in the browser: with MAX_PLAYERS=1 and someone
 * playing, the menu says the server is full before the second player tries, Quick play
 * tells them so too, and both change once the first player has left.
 */
import { execFileSync } from 'node:child_process';
import { Client } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARENA_ROOM } from '@pulse-arena/shared';
import type {} from '../../client/src/testHook.js'; // types window.__pulseArena
import { launchChromium, type ChromiumSession } from './chromium.js';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';

const WAIT = { timeout: 30_000 };

describe('a full server in the browser', () => {
  let server: ServerProcess | undefined;
  let browser: ChromiumSession | undefined;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-client.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
    server = await startServerProcess({ env: { MAX_PLAYERS: '1', INFERENCE: 'off' } });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  }, 60_000);

  it('the menu and Quick play say "server full" while the one place is taken, and it plays once it is free', async () => {
    const first = await new Client(server!.url.replace(/^http/, 'ws')).joinOrCreate(ARENA_ROOM, { name: 'First' });
    const page = browser!.page;
    await page.goto(server!.url);
    await page.locator('#menu-full').waitFor({ state: 'visible', ...WAIT });
    expect(await page.locator('#menu-full').textContent()).toMatch(/^The server is full: its one place is taken\. Places open up as players leave/);
    await page.locator('#name-input').fill('Second');
    await page.locator('#quick-play').click();
    await page.waitForFunction(() => /server full/.test(document.querySelector('#menu-status')?.textContent ?? ''), undefined, WAIT);
    expect(await page.locator('#menu-status').textContent()).toMatch(/^Could not join: server full: it takes 1 player and that place is taken/);
    expect(await page.evaluate(() => window.__pulseArena?.phase)).not.toBe('playing');

    await first.leave();
    // The menu notices by itself (it polls every 2 s).
    await page.locator('#menu-full').waitFor({ state: 'hidden', ...WAIT });
    await page.locator('#quick-play').click();
    await page.waitForFunction(() => window.__pulseArena?.phase === 'playing', undefined, WAIT);
  }, 90_000);
});

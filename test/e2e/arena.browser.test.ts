/**
 * The game in real browsers against the real server: two players join the same room
 * through the menu, see each other move, and chat. Leaves a screenshot of player A's
 * screen in test/artifacts/arena.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '../../client/src/testHook.js'; // types window.__pulseArena
import { launchChromium, type ChromiumSession } from './chromium.js';
import { BEHAVIOR_CLASSES } from '../../models/src/behavior/classes.js';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';
import type { FlagSummary, RuleSet } from '@pulse-arena/shared';
import { staffHeaders } from '../helpers/cluster.js';

const SCREENSHOT = path.join(REPO_ROOT, 'test/artifacts/arena.png');
const ADMIN_PASSWORD = 'e2e-admin-password';
/** In-page waits; generous because two SwiftShader-rendered games share the CPUs. */
const WAIT = { timeout: 30_000 };

/** Everything the client's test hook exposes, read in one round trip. */
function snapshot(page: Page) {
  return page.evaluate(() => {
    const h = window.__pulseArena!;
    return {
      renderer: h.renderer, phase: h.phase, roomId: h.roomId, sessionId: h.sessionId, playerId: h.playerId,
      connection: h.connection, own: h.ownPosition(), players: h.players(), chat: h.chatLog(),
    };
  });
}

/**
 * The own player's position once it stops changing (no move for 300 ms): after keys are
 * released, the server's last inputs can still reconcile the predicted position.
 */
async function restingPosition(page: Page): Promise<{ x: number; y: number }> {
  const deadline = Date.now() + WAIT.timeout;
  let last = (await snapshot(page)).own!;
  for (;;) {
    await page.waitForTimeout(300);
    const now = (await snapshot(page)).own!;
    if (Math.hypot(now.x - last.x, now.y - last.y) < 0.5 || Date.now() > deadline) return now;
    last = now;
  }
}

async function enterName(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.locator('#name-input').fill(name);
}

async function waitUntilPlaying(page: Page, players: number): Promise<void> {
  await page.waitForFunction(
    (n) => window.__pulseArena?.phase === 'playing' && window.__pulseArena.ownPosition() !== null
      && window.__pulseArena.players().length === n,
    players, WAIT);
}

describe('arena in the browser', () => {
  let server: ServerProcess | undefined;
  let alice: ChromiumSession | undefined;
  let bob: ChromiumSession | undefined;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-client.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
    server = await startServerProcess({ env: { ADMIN_PASSWORD: ADMIN_PASSWORD } });
    // One browser per player: separate profiles, so each keeps its own name and player id.
    alice = await launchChromium();
    bob = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await server?.stop();
  }, 60_000);

  it('two players join one room, see each other move, chat, and see the style the model reads', async () => {
    const a = alice!.page, b = bob!.page, url = server!.url;

    // Alice creates a named room from the menu.
    await enterName(a, url, 'Alice');
    await a.locator('#room-name-input').fill('E2E room');
    await a.locator('#create-room').click();
    await waitUntilPlaying(a, 1);
    await a.waitForFunction(() => window.__pulseArena?.playerId != null, undefined, WAIT);
    const aliceView = await snapshot(a);
    expect(aliceView.renderer).toBe('WebGL');
    expect(aliceView.roomId).toBeTruthy();
    expect(await a.evaluate(() => localStorage.getItem('pulseArena.playerId'))).toBe(aliceView.playerId);
    const aliceId = aliceView.sessionId!;

    // Bob finds it in the lobby list and joins.
    await enterName(b, url, 'Bob');
    const row = b.locator(`#room-list li[data-room-id="${aliceView.roomId}"]`);
    await row.waitFor(WAIT);
    expect(await row.locator('.room-list__name').textContent()).toBe('E2E room');
    await row.getByRole('button', { name: 'Join' }).click();
    await waitUntilPlaying(b, 2);
    await waitUntilPlaying(a, 2);
    const bobView = await snapshot(b);
    expect(bobView).toMatchObject({ renderer: 'WebGL', roomId: aliceView.roomId, connection: 'open' });
    expect(bobView.players.map((p) => p.name).sort()).toEqual(['Alice', 'Bob']);

    // Alice holds D for a second; Bob sees her move right.
    const before = bobView.players.find((p) => p.sessionId === aliceId)!;
    await a.keyboard.down('KeyD');
    await a.waitForTimeout(1000);
    await a.keyboard.up('KeyD');
    await b.waitForFunction(
      ({ id, x }) => (window.__pulseArena!.players().find((p) => p.sessionId === id)?.x ?? 0) > x + 100,
      { id: aliceId, x: before.x }, WAIT);
    const after = (await snapshot(b)).players.find((p) => p.sessionId === aliceId)!;
    expect(after.y).toBeCloseTo(before.y, 0);
    expect((await snapshot(a)).own!.x).toBeGreaterThan(aliceView.own!.x + 100);

    // Alice chats; the keys typed into the chat box do not move her, and Bob gets the line as text.
    const settled = await restingPosition(a);
    const line = 'gg wasd dash <b>bold</b>';
    await a.keyboard.press('Enter');
    await a.waitForFunction(() => document.activeElement?.id === 'chat-input', undefined, WAIT);
    await a.keyboard.type(line);
    await a.keyboard.press('Enter');
    await b.waitForFunction(
      (text) => window.__pulseArena!.chatLog().some((l) => l.name === 'Alice' && l.text === text), line, WAIT);
    const still = (await snapshot(a)).own!;
    expect(still.x).toBeCloseTo(settled.x, 1);
    expect(still.y).toBeCloseTo(settled.y, 1);
    expect(await b.locator('#chat-log b').count()).toBe(0);
    // Markup that would run script is shown as the text it is.
    const hostile = 'look <img src=x onerror="window.__xss=1"> and <script>window.__xss=1</script>';
    await a.keyboard.press('Enter');
    await a.keyboard.type(hostile);
    await a.keyboard.press('Enter');
    await b.waitForFunction((text) => window.__pulseArena!.chatLog().some((l) => l.text === text), hostile, WAIT);
    expect(await b.locator('#chat-log img, #chat-log script').count()).toBe(0);
    expect(await b.locator('#chat-log li').filter({ hasText: 'onerror="window.__xss=1"' }).count()).toBe(1);
    expect(await b.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();

    // Bob reports Alice's line to the moderators from the chat log; nobody gets a report button on their own lines.
    expect(await a.locator('#chat-log .chat__report-open').count()).toBe(0);
    const reported = b.locator('#chat-log li[data-message-id]').filter({ hasText: line });
    await reported.locator('.chat__report-open').click();
    await reported.locator('.chat__report-reason[data-reason="spam"]').click();
    await b.locator('#chat-log li', { hasText: 'Reported to the moderators' }).waitFor(WAIT);
    expect(await reported.getAttribute('data-reported')).toBe('true');
    const staff = await staffHeaders(server!, 'admin', ADMIN_PASSWORD);
    const flags = (await (await fetch(`${server!.url}/api/moderation/flags?status=open`, { headers: staff })).json()) as FlagSummary[];
    expect(flags.find((f) => f.kind === 'report')).toMatchObject({ playerName: 'Alice', reason: 'reported by Bob: spam', text: line });

    // The behavior model's smoothed read of each player reaches that player's HUD.
    await a.waitForFunction(() => window.__pulseArena!.profile() !== null, undefined, WAIT);
    const profile = (await a.evaluate(() => window.__pulseArena!.profile()))!;
    expect(Object.keys(profile.probabilities)).toEqual([...BEHAVIOR_CLASSES]);
    expect(Object.values(profile.probabilities).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 2);
    // A new read arrives every second, so the HUD may already show the next one.
    expect(await a.locator('#hud-style').textContent()).toMatch(new RegExp(`^Style: (${BEHAVIOR_CLASSES.join('|')}) \\d+%$`));

    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await a.screenshot({ path: SCREENSHOT });
    expect(alice!.errors).toEqual([]);
    expect(bob!.errors).toEqual([]);
  }, 120_000);

  it('the director eases off for an idle player, says why in the HUD, and a recommendation toast can be accepted', async () => {
    const b = bob!.page, url = server!.url;
    // Bob has not touched his keyboard since joining: the model reads him as idle and the default rules leave him alone.
    await b.waitForFunction(() => /easing off/.test(window.__pulseArena!.difficultyText())
      && /afk-leave-alone/.test(window.__pulseArena!.why()), undefined, { timeout: 60_000 });
    expect(await b.locator('#hud-why').textContent()).toMatch(/^Why: Easing off: afk-leave-alone \(style\.idle (1|0\.\d+)\) · rules v1$/);
    const eased = Number(/Difficulty (\d+)%/.exec(await b.locator('#hud-difficulty').textContent() ?? '')?.[1]);
    expect(eased).toBeLessThan(40);

    // A designer publishes a rule that suggests the rapid blaster to idle players; Bob gets the toast.
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const live = await (await fetch(`${url}/api/designer/rulesets/live`, { headers: { authorization: `Bearer ${token}` } })).json() as { ruleSet: RuleSet };
    const ruleSet: RuleSet = {
      ...live.ruleSet,
      rules: [...live.ruleSet.rules, {
        id: 'wake-up-call', cooldownSeconds: 0, when: { input: 'style.idle', op: '>=', value: 0.6 },
        then: [{ recommend: 'loadout', value: 'rapid', message: 'Back? The rapid blaster is fun to wake up with.' }],
      }],
    };
    const published = await fetch(`${url}/api/designer/rulesets`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ ruleSet, note: 'e2e' }),
    });
    expect(published.status).toBe(201);
    const toast = b.locator('#toasts .toast[data-kind="loadout"]');
    await toast.waitFor(WAIT);
    expect(await toast.locator('p').first().textContent()).toBe('Back? The rapid blaster is fun to wake up with.');
    expect(await toast.locator('.toast__why').textContent()).toMatch(/^Why: wake-up-call \(style\.idle/);
    await toast.getByRole('button', { name: 'Take rapid' }).click();
    await toast.waitFor({ state: 'detached', ...WAIT });
    await b.waitForFunction(() => document.getElementById('hud-mode')?.textContent === 'Standard mode · Rapid', undefined, WAIT);
    const history = await b.evaluate(() => window.__pulseArena!.recommendationHistory());
    expect(history.find((h) => h.kind === 'loadout')).toMatchObject({ value: 'rapid', outcome: 'accepted' });
    expect(bob!.errors).toEqual([]);
  }, 120_000);
});

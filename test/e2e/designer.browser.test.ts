/**
 * The designer console (/designer/) in Chromium against the real server: a moderator is
 * refused; a designer sees the live rule set, gets the validator's error (with its path)
 * while typing, publishes a change and sees a room switch to it within a second, reads the
 * room's live charts, diffs the two versions and runs a dry run — with no errors in the
 * page. Leaves screenshots in test/artifacts/designer-*.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, type Room } from '@colyseus/sdk';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARENA_ROOM, KNOB_NAMES,
  type ChatModelReviews, type DryRunReport, type LiveRoom, type RecommendationOutcomes, type RuleSetVersionDetail,
} from '@pulse-arena/shared';
import { launchChromium, type ChromiumSession } from './chromium.js';
import { apiCall, loginToken, signIn } from './consoleSession.js';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';

const ARTIFACTS = path.join(REPO_ROOT, 'test/artifacts');
const ADMIN_PASSWORD = 'e2e-admin-password';
const DESIGNER = { username: 'dana', password: 'designer-password', role: 'designer' };
const MODERATOR = { username: 'moe', password: 'moderator-password', role: 'moderator' };
/** In-page waits; generous because the server, the browser and the bot share two CPUs. */
const WAIT = { timeout: 30_000 };

describe('designer console in the browser', () => {
  let server: ServerProcess | undefined;
  let browser: ChromiumSession | undefined;
  let room: Room | undefined;
  /** Console errors and page errors, except the 401 the console's session check expects before sign-in. */
  const pageProblems: string[] = [];

  const api = <T>(method: 'GET' | 'POST' | 'DELETE', route: string, token: string | null, body?: unknown) =>
    apiCall<T>(server!.url, method, route, token, body);
  const tokenFor = (username: string, password: string) => loginToken(server!.url, username, password);

  /** Puts the caret at `offset` in the editor, as a click there would. */
  async function caretAt(page: Page, start: number, end = start): Promise<void> {
    await page.locator('#rules-editor').focus();
    await page.evaluate(([s, e]) => document.querySelector<HTMLTextAreaElement>('#rules-editor')!.setSelectionRange(s!, e!), [start, end]);
  }

  const points = (page: Page, selector: string) =>
    page.locator(selector).evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.points ?? -1)));

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-client.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
    server = await startServerProcess({ env: { ADMIN_PASSWORD } });
    const admin = await tokenFor('admin', ADMIN_PASSWORD);
    for (const account of [DESIGNER, MODERATOR]) {
      const res = await api('POST', '/api/admin/accounts', admin, account);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    // A player in a room, so the live view and the dry run have something to show.
    room = await new Client(server.url.replace('http', 'ws')).create(ARENA_ROOM, { name: 'E2E player' });
    room.onMessage('*', () => undefined); // profile and recommendation messages: not this test's business
    browser = await launchChromium();
    browser.page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const { url } = msg.location();
      // Chromium logs every 4xx response; before sign-in the session check answers 401 by design.
      if (url.endsWith('/api/auth/me') && msg.text().includes('401')) return;
      pageProblems.push(`console: ${msg.text()} (${url})`);
    });
    browser.page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`));
  }, 240_000);

  afterAll(async () => {
    await room?.leave().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  }, 60_000);

  it('refuses a moderator, and the API does too', async () => {
    const page = browser!.page;
    await page.goto(`${server!.url}/designer/`);
    await signIn(page, MODERATOR);
    await page.locator('#refusal-view').waitFor({ state: 'visible', ...WAIT });
    expect(await page.locator('#refusal-view h2').textContent()).toBe('Designer role required');
    expect(await page.locator('#refusal-message').textContent()).toContain('moe with the moderator role');
    expect(await page.locator('#console-view').isHidden()).toBe(true);
    expect(await page.locator('#user-name').textContent()).toBe('moe (moderator)');

    const token = await tokenFor(MODERATOR.username, MODERATOR.password);
    for (const route of ['/api/designer/rulesets', '/api/designer/rulesets/live', '/api/designer/live', '/api/designer/models']) {
      const res = await api<{ error: string }>('GET', route, token);
      expect(res.status, route).toBe(403);
      expect(res.body.error).toMatch(/role required/);
    }

    await page.locator('#logout').click();
    await page.locator('#login-form').waitFor({ state: 'visible', ...WAIT });
    // The cookie is gone: the browser's own session check is refused.
    expect(await page.evaluate(() => fetch('/api/auth/me', { credentials: 'same-origin' }).then((r) => r.status))).toBe(401);
  }, 60_000);

  it('lets a designer validate, publish, watch the room switch, diff and dry-run', async () => {
    const page = browser!.page;
    const token = await tokenFor(DESIGNER.username, DESIGNER.password);
    const live = (await api<RuleSetVersionDetail>('GET', '/api/designer/rulesets/live', token)).body;
    expect(live.version).toBe(1);

    // (b) The editor opens on the live version, pretty-printed (keys in reading order).
    await signIn(page, DESIGNER);
    const editor = page.locator('#rules-editor');
    await page.locator('#rules-editor[data-valid="true"]').waitFor(WAIT);
    const original = await editor.inputValue();
    expect(JSON.parse(original)).toEqual(live.ruleSet);
    expect(original).toBe(JSON.stringify(JSON.parse(original), null, 2));
    expect(original.indexOf('"id"')).toBeLessThan(original.indexOf('"when"'));
    expect(original.indexOf('"when"')).toBeLessThan(original.indexOf('"then"'));
    expect(await page.locator('#editor-status').textContent()).toBe('Based on version 1 (live)');
    expect(await page.locator('#publish').isDisabled()).toBe(true); // nothing changed yet

    // The room shows on the Live tab with version 1 before anything is published.
    await page.locator('#tab-live').click();
    const card = page.locator(`.room-card[data-room-id="${room!.roomId}"]`);
    await card.waitFor(WAIT);
    expect(await card.getAttribute('data-rule-set-version')).toBe('1');
    // An unnamed room is "Arena <id>": its id is said once, not again beside the name.
    const header = (await card.locator('.room-card__header').innerText()).replace(/\s+/g, ' ');
    expect(header.split(room!.roomId).length - 1).toBe(1);
    await page.locator('#tab-rules').click();

    // Typing a bad knob name: the validator's error, with its exact path, and no publishing.
    const ruleIndex = live.ruleSet.rules.findIndex((r) => r.then.some((a) => 'knob' in a && a.knob === 'enemyDamage'));
    expect(ruleIndex).toBeGreaterThanOrEqual(0);
    const actionIndex = live.ruleSet.rules[ruleIndex]!.then.findIndex((a) => 'knob' in a && a.knob === 'enemyDamage');
    const knobEnd = original.indexOf('"knob": "enemyDamage"') + '"knob": "enemyDamage'.length;
    await caretAt(page, knobEnd);
    await page.keyboard.press('Backspace');
    await page.locator('#rules-editor[data-valid="false"]').waitFor(WAIT);
    expect(await page.locator('#rules-errors li').allTextContents()).toEqual([
      `rules[${ruleIndex}].then[${actionIndex}].knob: "enemyDamag" is not a knob; one of ${KNOB_NAMES.join(', ')}`,
    ]);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#publish').isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'designer-invalid.png') });

    // Fix it, and change the first rule's cooldown.
    await page.keyboard.type('e');
    await page.locator('#rules-editor[data-valid="true"]').waitFor(WAIT);
    expect(await editor.inputValue()).toBe(original);
    const cooldown = live.ruleSet.rules[0]!.cooldownSeconds;
    expect(typeof cooldown).toBe('number');
    const newCooldown = cooldown! + 5;
    const numberAt = original.indexOf(`"cooldownSeconds": ${cooldown}`) + '"cooldownSeconds": '.length;
    await caretAt(page, numberAt, numberAt + String(cooldown).length);
    await page.keyboard.type(String(newCooldown));
    await page.locator('#publish:not([disabled])').waitFor(WAIT);
    expect(await page.locator('#editor-status').textContent()).toBe('Based on version 1 (live) · unsaved changes');
    await page.locator('#publish-note').fill('first rule: longer cooldown');
    await page.locator('#publish').click();
    await page.locator('#publish-status', { hasText: 'Published version 2' }).waitFor(WAIT);
    const publishedAt = Date.now();
    expect(await page.locator('#publish-status').textContent()).toBe('Published version 2');

    // The live endpoint and the Live tab report the room on version 2 within a second.
    await page.locator('#tab-live').click();
    await page.locator(`.room-card[data-room-id="${room!.roomId}"][data-rule-set-version="2"]`)
      .waitFor({ timeout: Math.max(1, 1000 - (Date.now() - publishedAt)) });
    const rooms = (await api<LiveRoom[]>('GET', '/api/designer/live', token)).body;
    expect(rooms.find((r) => r.roomId === room!.roomId)?.ruleSetVersion).toBe(2);
    expect(await card.locator('.tag').textContent()).toBe('rules v2');

    // (c) The player's charts fill in as the behavior model reads them.
    const player = card.locator(`.player-card[data-session-id="${room!.sessionId}"]`);
    await player.waitFor(WAIT);
    expect(await player.locator('.player-card__name').textContent()).toBe('E2E player');
    await page.waitForFunction((sessionId) => {
      const charts = document.querySelectorAll<HTMLElement>(`.player-card[data-session-id="${sessionId}"] [data-chart]`);
      return charts.length === 2 && [...charts].every((c) => Number(c.dataset.points) > 0);
    }, room!.sessionId, WAIT);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'designer-live.png'), fullPage: true });

    // The versions tab lists both and diffs them: exactly the changed cooldown line.
    await page.locator('#tab-versions').click();
    await page.locator('#versions-body tr[data-version="2"][data-live="true"]').waitFor(WAIT);
    const v2 = page.locator('#versions-body tr[data-version="2"]');
    expect(await v2.textContent()).toContain('first rule: longer cooldown');
    expect(await v2.textContent()).toContain(DESIGNER.username);
    expect(await page.locator('#versions-body tr[data-version="1"] button', { hasText: 'Roll back to this version' }).count()).toBe(1);
    await page.locator('#diff-from').selectOption('1');
    await page.locator('#diff-to').selectOption('2');
    await page.locator('#diff-view[data-added]').waitFor({ state: 'attached', ...WAIT });
    expect(await page.locator('#diff-summary').textContent(), await page.locator('#diff-view').textContent() ?? '').toBe('+1 −1 lines');
    expect((await page.locator('#diff-view .diff__line--del .diff__text').allTextContents()).map((t) => t.trim()))
      .toEqual([`"cooldownSeconds": ${cooldown},`]);
    expect((await page.locator('#diff-view .diff__line--add .diff__text').allTextContents()).map((t) => t.trim()))
      .toEqual([`"cooldownSeconds": ${newCooldown},`]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'designer-diff.png') });

    // The dry run over the last hour (the defaults: the version just published) returns and draws its charts.
    await page.locator('#tab-dry-run').click();
    expect(await page.locator('#dry-run-version').inputValue()).toBe('2');
    expect(await page.locator('.preset[data-minutes="60"]').getAttribute('aria-pressed')).toBe('true');
    const response = page.waitForResponse((r) => r.url().endsWith('/api/designer/dry-run'), WAIT);
    await page.locator('#dry-run-submit').click();
    const answered = await response;
    expect(answered.status()).toBe(200);
    const report = (await answered.json()) as DryRunReport;
    expect(report.version).toBe(2);
    expect(new Date(report.to).getTime() - new Date(report.from).getTime()).toBeCloseTo(3600_000, -4);
    expect(report.samples, 'room-seconds the server recorded for replay while the player was in the room').toBeGreaterThan(0);
    await page.locator('#dry-run-report [data-chart="dryrun-decisions"][data-points]').waitFor(WAIT);
    expect(await points(page, '[data-chart="dryrun-decisions"]')).toEqual([2 * report.decisionsByRule.length]);
    expect(await points(page, '[data-chart="dryrun-recommendations"]')).toEqual([2 * report.recommendationsByKind.length]);
    expect(await points(page, '[data-chart="dryrun-knob"]')).toEqual(report.knobs.map((k) => 2 * k.dryRun.histogram.length));
    expect(report.decisionsByRule.length + report.knobs.length).toBeGreaterThan(0);
    expect(await page.locator('#dry-run-report tr[data-knob]').count()).toBe(report.knobs.length);
    expect(await page.locator('#dry-run-report .stats').textContent()).toContain(String(report.samples));
    await page.screenshot({ path: path.join(ARTIFACTS, 'designer-dry-run.png'), fullPage: true });

    // Recommendation outcomes: the table shows what the API counts, for the window picked.
    const outcomesFor = (minutes: number) => page.waitForResponse((r) => {
      const url = new URL(r.url());
      return url.pathname === '/api/designer/recommendations'
        && Date.parse(url.searchParams.get('until')!) - Date.parse(url.searchParams.get('since')!) === minutes * 60_000;
    }, WAIT);
    const day = outcomesFor(1440);
    await page.locator('#tab-outcomes').click();
    const dayAnswer = await day;
    expect(dayAnswer.status()).toBe(200);
    const hour = outcomesFor(60);
    await page.locator('#outcomes-window').selectOption('60');
    const outcomes = (await (await hour).json()) as RecommendationOutcomes;
    await page.locator('#outcomes-summary dd').first().waitFor(WAIT);
    await expect.poll(async () => page.locator('#outcomes-summary dd').first().textContent(), WAIT)
      .toBe(String(outcomes.rows.reduce((n, r) => n + r.shown, 0)));
    if (outcomes.rows.length === 0) {
      expect(await page.locator('#outcomes-body').textContent()).toContain('No recommendations shown in this window.');
    } else {
      expect(await page.locator('#outcomes-body tr[data-kind]').count()).toBe(outcomes.rows.length);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'designer-outcomes.png') });

    // The chat model against the moderators, in the Models tab: the rows the API counts.
    const reviewsAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/designer/models/chat/reviews', WAIT);
    await page.locator('#tab-models').click();
    const reviews = (await (await reviewsAnswer).json()) as ChatModelReviews;
    await page.locator('#reviews-body tr').first().waitFor(WAIT);
    if (reviews.bySource.length === 0) {
      expect(await page.locator('#reviews-body').textContent()).toContain('No chat flags resolved by a moderator in the last 7 days.');
    } else {
      expect(await page.locator('#reviews-body tr[data-source]').count()).toBe(reviews.bySource.length);
    }

    // (d) Nothing went wrong in the page.
    expect(pageProblems).toEqual([]);
  }, 120_000);
});

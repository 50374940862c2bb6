/**
 * The dry run against a recorded hour of bot play: four style bots play the real
 * simulation for an hour of game time (faster than real time) with the real behavior and
 * chat models and the live director path, writing samples and decisions to a real
 * database through the write-behind queue. Replaying that hour with the version that was
 * live gives exactly the live totals, in under 10 s; another version reports what it
 * would change. Then the same through the designer HTTP API, with its role checks and
 * the decision log's filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { DecisionRecord, DryRunReport, RecommendationOutcome, RecommendationOutcomes, RuleSet } from '@pulse-arena/shared';
// Before the database modules (see test/rooms/liveModels.test.ts).
import { bootArena, type BootedArena } from '../helpers/arenaServer.js';
import { recordBotPlay, type BotPlayResult } from '../bench/botPlay.js';
import { BehaviorClassifier } from '../../models/src/behavior/classifier.js';
import { ChatClassifier } from '../../models/src/chat/classifier.js';
import { initBackend } from '../../models/src/runtime/index.js';
import { Accounts } from '../../server/src/auth/accounts.js';
import type { Database } from '../../server/src/db/database.js';
import { WriteBehindQueue } from '../../server/src/db/writeBehind.js';
import { DEFAULT_RULE_SET } from '../../server/src/director/defaultRuleSet.js';
import { dryRun } from '../../server/src/director/dryRun.js';
import { RuleRegistry } from '../../server/src/director/ruleRegistry.js';
import { PrismaRuleStore } from '../../server/src/director/ruleStore.js';
import { implementations } from '../db/helpers.js';

const START = Date.UTC(2026, 10, 30, 12, 0, 0);
const HOUR_S = 3600;

let db: Database;
let disposeDb: () => Promise<void>;
let writes: WriteBehindQueue;
let rules: RuleRegistry;
let played: BotPlayResult;

beforeAll(async () => {
  const made = await implementations[0]!.create();
  disposeDb = made.dispose;
  db = await made.open();
  writes = new WriteBehindQueue(db.sql, { flushIntervalMs: 500 });
  rules = await RuleRegistry.open(new PrismaRuleStore(db.prisma));
  await initBackend();
  const [behavior, chat] = await Promise.all([BehaviorClassifier.load('models/behavior/v1'), ChatClassifier.load()]);
  try {
    played = await recordBotPlay({
      rooms: 1, playersPerRoom: 4, seconds: HOUR_S, seed: 7, startAt: START, rules: rules.live, recorder: writes, behavior, chat,
    });
  } finally {
    behavior.dispose();
    chat.dispose();
  }
  await writes.flush();
  console.log(`recorded ${played.samples} room-seconds of bot play in ${(played.wallMs / 1000).toFixed(1)} s; activations: ${JSON.stringify(Object.fromEntries(played.activations))}`);
}, 300_000);

afterAll(async () => {
  await writes?.close();
  await db?.close();
  await disposeDb?.();
});

const range = () => ({ from: new Date(START), to: new Date(played.endAt) });

describe('dry run over a recorded hour of bot play', () => {
  it('replays the live version to exactly the live totals, in under 10 s', async () => {
    expect(played.samples).toBe(HOUR_S);
    expect(await db.prisma.directorSample.count()).toBe(HOUR_S);
    const report = await dryRun(db.prisma, rules.store, { version: rules.live.version, ...range() });
    console.log(`dry run: ${report.samples} samples, ${report.players} players, ${report.elapsedMs} ms; `
      + report.decisionsByRule.map((d) => `${d.ruleId} ${d.dryRun}/${d.actual}`).join(', '));
    expect(report.elapsedMs).toBeLessThan(10_000);
    expect(report).toMatchObject({ samples: HOUR_S, matches: 1, players: 4, recordedVersions: [rules.live.version] });
    // The bots' hour exercised the rules (styles switch every few minutes)...
    const active = report.decisionsByRule.filter((d) => d.actual > 0).map((d) => d.ruleId);
    expect(active).toEqual(expect.arrayContaining(['afk-leave-alone', 'ease-struggling', 'relax-after-hard-peak']));
    // ...and the replay made exactly the live decisions, recommendations and knob values.
    for (const d of report.decisionsByRule) {
      expect(d.dryRun, d.ruleId).toBe(d.actual);
      expect(d.actual, d.ruleId).toBe(played.activations.get(d.ruleId) ?? 0);
    }
    for (const r of report.recommendationsByKind) expect(r.dryRun, r.kind).toBe(r.actual);
    for (const k of report.knobs) expect(k.dryRun, k.knob).toEqual(k.actual);
  }, 60_000);

  it('reports what another version would have done, against what happened', async () => {
    // Version 2: the AFK rule off, novices eased much earlier.
    const edited: RuleSet = structuredClone(DEFAULT_RULE_SET);
    edited.rules.find((r) => r.id === 'afk-leave-alone')!.enabled = false;
    const ease = edited.rules.find((r) => r.id === 'ease-struggling')!;
    ease.when = { input: 'style.novice', op: '>=', value: 0.2 };
    const published = await rules.publishNew(edited, 'test', 'what-if');
    expect(published.ok).toBe(true);
    const v2 = await dryRun(db.prisma, rules.store, { version: rules.live.version, ...range() });
    const byRule = new Map(v2.decisionsByRule.map((d) => [d.ruleId, d]));
    expect(v2.recordedVersions).toEqual([1]);
    expect(byRule.get('afk-leave-alone')).toMatchObject({ dryRun: 0 });
    expect(byRule.get('afk-leave-alone')!.actual).toBeGreaterThan(0);
    expect(byRule.get('ease-struggling')!.dryRun).not.toBe(byRule.get('ease-struggling')!.actual);
    // Without the AFK treatment, idle players' enemies stay faster.
    const speed = v2.knobs.find((k) => k.knob === 'enemySpeed')!;
    expect(speed.dryRun.p10).toBeGreaterThan(speed.actual.p10);
    await rules.publishVersion(1, 'test', 'back');
  }, 60_000);
});

describe('designer API over the recorded hour', () => {
  let arena: BootedArena;
  let designer: string;
  let moderator: string;

  beforeAll(async () => {
    const accounts = await Accounts.open(db.prisma);
    arena = await bootArena(writes, { rules, accounts, prisma: db.prisma });
    await accounts.create('dana', 'designer-password', 'designer');
    await accounts.create("mod", "moderator-password", "moderator");
    designer = (await accounts.login('dana', 'designer-password')).token;
    moderator = (await accounts.login("mod", "moderator-password")).token;
  }, 60_000);

  afterAll(async () => {
    await arena?.shutdown();
  });

  const call = (path: string, token: string | null, body?: unknown) => fetch(`${arena.http}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });

  it('runs the dry run for a designer, and refuses others', async () => {
    const request = { version: 1, from: new Date(START).toISOString(), to: new Date(played.endAt).toISOString() };
    expect((await call('/api/designer/dry-run', null, request)).status).toBe(401);
    expect((await call('/api/designer/dry-run', moderator, request)).status).toBe(403);
    const res = await call('/api/designer/dry-run', designer, request);
    expect(res.status).toBe(200);
    const report = (await res.json()) as DryRunReport;
    expect(report.samples).toBe(HOUR_S);
    for (const d of report.decisionsByRule) expect(d.dryRun, d.ruleId).toBe(d.actual);
    const bad = await call('/api/designer/dry-run', designer, { ...request, to: request.from });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'from: must be before to' });
    expect((await call('/api/designer/dry-run', designer, { ...request, version: 999 })).status).toBe(404);
  }, 60_000);

  it('serves the decision log with filters, each decision with its trace', async () => {
    const res = await call('/api/designer/decisions?ruleId=ease-struggling&kind=activate&limit=5', designer);
    expect(res.status).toBe(200);
    const rows = (await res.json()) as DecisionRecord[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(5);
    for (const row of rows) {
      expect(row).toMatchObject({ ruleId: 'ease-struggling', kind: 'activate', ruleSetVersion: 1 });
      expect(row.playerId).toMatch(/^[0-9a-f-]{36}$/);
      expect(Object.keys(row.inputs).length).toBeGreaterThan(0);
      expect(row.changes.map((c) => c.knob)).toContain('enemyDamage');
    }
    const sorted = [...rows].sort((a, b) => b.at.localeCompare(a.at));
    expect(rows.map((r) => r.at)).toEqual(sorted.map((r) => r.at));
    expect((await call('/api/designer/decisions?playerId=nope', designer)).status).toBe(400);
    expect((await call('/api/designer/decisions?limit=5000', designer)).status).toBe(400);
  });
  it("counts how players answered each rule's recommendations", async () => {
    // Three more, from no rule: one accepted, one dismissed, one still on screen.
    const base = { playerId: randomUUID(), matchId: randomUUID(), roomId: 'outcomes', kind: 'loadout', value: 'rapid', message: 'try rapid', decisionId: null };
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    ids.forEach((id, i) => writes.recordRecommendation({ ...base, id, createdAt: new Date(START + 10_000 + i) }));
    await writes.flush();
    writes.resolveRecommendation({ id: ids[0]!, outcome: 'accepted', resolvedAt: new Date(START + 20_000) });
    writes.resolveRecommendation({ id: ids[1]!, outcome: 'dismissed', resolvedAt: new Date(START + 20_000) });
    await writes.flush();

    const window = `since=${new Date(START).toISOString()}&until=${new Date(played.endAt + 1).toISOString()}`;
    expect((await call(`/api/designer/recommendations?${window}`, null)).status).toBe(401);
    expect((await call(`/api/designer/recommendations?${window}`, moderator)).status).toBe(403);
    const res = await call(`/api/designer/recommendations?${window}`, designer);
    expect(res.status).toBe(200);
    const report = (await res.json()) as RecommendationOutcomes;
    expect(report.since).toBe(new Date(START).toISOString());

    // The same counts, worked out here from the stored rows.
    const recs = await db.prisma.recommendation.findMany({ where: { createdAt: { gte: new Date(START), lt: new Date(played.endAt + 1) } } });
    const rules = new Map((await db.prisma.directorDecision.findMany({ where: { kind: 'recommend' }, select: { id: true, ruleId: true } })).map((d) => [d.id, d.ruleId]));
    const expected = new Map<string, { shown: number; accepted: number; dismissed: number; ignored: number; withdrawn: number; pending: number }>();
    for (const r of recs) {
      const key = `${(r.decisionId && rules.get(r.decisionId)) ?? null}|${r.kind}`;
      const e = expected.get(key) ?? { shown: 0, accepted: 0, dismissed: 0, ignored: 0, withdrawn: 0, pending: 0 };
      e.shown++;
      if (r.outcome === null) e.pending++;
      else e[r.outcome as RecommendationOutcome]++;
      expected.set(key, e);
    }
    expect(report.rows.length).toBe(expected.size);
    for (const row of report.rows) {
      const e = expected.get(`${row.ruleId}|${row.kind}`);
      expect(row, `${row.ruleId} ${row.kind}`).toMatchObject(e!);
      const answered = row.accepted + row.dismissed + row.ignored;
      expect(row.acceptance).toBe(answered === 0 ? null : row.accepted / answered);
    }
    // The bots' hour: the director's rules recommended, and unanswered advice expired as ignored.
    const fromRules = report.rows.filter((r) => r.ruleId !== null);
    expect(fromRules.reduce((n, r) => n + r.shown, 0)).toBeGreaterThan(0);
    expect(fromRules.reduce((n, r) => n + r.ignored, 0)).toBeGreaterThan(0);
    expect(report.rows.find((r) => r.ruleId === null && r.kind === 'loadout')).toMatchObject({ shown: 3, accepted: 1, dismissed: 1, pending: 1, acceptance: 0.5 });
    // Most shown first.
    expect(report.rows.map((r) => r.shown)).toEqual([...report.rows.map((r) => r.shown)].sort((a, b) => b - a));

    for (const [query, error] of [
      ['since=yesterday', 'since: must be an ISO date-time'],
      [`since=${new Date(START).toISOString()}&until=${new Date(START).toISOString()}`, 'since: must be before until'],
      [`since=2026-01-01T00:00:00Z&until=2026-03-01T00:00:00Z`, 'since: the window is at most 31 days'],
    ] as const) {
      const bad = await call(`/api/designer/recommendations?${query}`, designer);
      expect(bad.status, query).toBe(400);
      expect(await bad.json()).toEqual({ error });
    }
    // Default window: the last 24 h, which the recorded hour (in the past) is not in.
    const recent = (await (await call('/api/designer/recommendations', designer)).json()) as RecommendationOutcomes;
    expect(Date.parse(recent.until) - Date.parse(recent.since)).toBe(24 * 3600_000);
  });
  it("records whether players took the lobby's suggestions, as outcomes from the lobby", async () => {
    const first = await arena.join('Lobbyist', undefined, { mode: 'casual', loadout: 'heavy', lobby: { mode: 'casual', loadout: 'rapid', roomIds: ['elsewhere'] } });
    const second = await arena.join('Follower', first.roomId, { lobby: { loadout: 'blaster', roomIds: [first.roomId, 'elsewhere'] } });
    await writes.flush();
    const report = (await (await call('/api/designer/recommendations', designer)).json()) as RecommendationOutcomes;
    const lobby = report.rows.filter((r) => r.source === 'lobby');
    // Lobbyist took the mode but not the weapon or a suggested room; Follower joined a suggested room with the default weapon.
    expect(lobby).toEqual(expect.arrayContaining([
      { source: 'lobby', ruleId: null, kind: 'mode', shown: 1, accepted: 1, dismissed: 0, ignored: 0, withdrawn: 0, pending: 0, acceptance: 1 },
      { source: 'lobby', ruleId: null, kind: 'loadout', shown: 2, accepted: 1, dismissed: 1, ignored: 0, withdrawn: 0, pending: 0, acceptance: 0.5 },
      { source: 'lobby', ruleId: null, kind: 'room', shown: 2, accepted: 1, dismissed: 1, ignored: 0, withdrawn: 0, pending: 0, acceptance: 0.5 },
    ]));
    expect(lobby).toHaveLength(3);
    const stored = await db.prisma.recommendation.findMany({ where: { roomId: first.roomId, kind: 'lobby:room' }, orderBy: { outcome: 'asc' } });
    expect(stored.map((r) => [r.value, r.outcome])).toEqual([[`${first.roomId} elsewhere`, 'accepted'], ['elsewhere', 'dismissed']]);
    await second.leave();
    await first.leave();
  });
});

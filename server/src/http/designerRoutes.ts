/**
 * The designer console's API (shapes in shared/src/designerApi.ts): rule-set versions,
 * validation, publish and rollback, dry run, the decision log, recommendation outcomes,
 * live rooms and model status — all behind the designer (or admin) role — and the lobby's recommendations
 * for guests.
 */
import express, { type Router } from 'express';
import {
  MAX_PUBLISH_NOTE, OUTCOME_WINDOW_DEFAULT_MS, OUTCOME_WINDOW_MAX_MS, isUuid, parseRuleSet,
  type ChatModelReviews, type ChatReviewRow, type ChatReviewSource, type DecisionRecord, type LiveRoom, type ModelStatusReport,
  type PublishResponse, type RecommendationOutcomes, type ValidationResponse,
} from '@pulse-arena/shared';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Accounts } from '../auth/accounts.js';
import { dryRun, DryRunError } from '../director/dryRun.js';
import { LOBBY_KIND_PREFIX, lobbyRecommendations, type OpenRooms } from '../director/recommender.js';
import { liveArenaRooms } from '../rooms/ArenaRoom.js';
import type { RuleRegistry } from '../director/ruleRegistry.js';
import type { InferenceService } from '../inference/types.js';
import { jsonBodyErrors } from './jsonErrors.js';
import { requireRole } from './sessionAuth.js';

export interface DesignerRouteOptions {
  accounts: Accounts | null;
  rules: RuleRegistry | null;
  prisma: PrismaClient | null;
  rooms: OpenRooms;
  inference: InferenceService | null;
}

/** Rule sets are small; 256 KiB is ~100 rules with long descriptions, with room to spare. */
const RULESET_BODY_LIMIT = '256kb';

export function createDesignerRouter(opts: DesignerRouteOptions): Router {
  const router = express.Router();
  const designer = requireRole(opts.accounts, ['designer', 'admin']);
  const json = express.json({ limit: RULESET_BODY_LIMIT });
  const rules = opts.rules;
  const throughput = new ThroughputMeter();

  router.use('/api/designer', designer);
  router.use('/api/designer', (_req, res, next) => {
    if (!rules) return void res.status(503).json({ error: 'the director is off on this server' });
    next();
  });

  router.get('/api/designer/rulesets', async (_req, res) => {
    res.json(await rules!.store.list());
  });

  router.get('/api/designer/rulesets/live', async (_req, res) => {
    const live = await rules!.store.get(rules!.live.version);
    if (!live) return void res.status(404).json({ error: 'no live rule set' });
    res.json(live);
  });

  router.get('/api/designer/rulesets/:version', async (req, res) => {
    const version = parseVersion(req.params.version);
    if (version === null) return void res.status(400).json({ error: 'version: must be a positive integer' });
    const found = await rules!.store.get(version);
    if (!found) return void res.status(404).json({ error: `no rule set version ${version}` });
    res.json(found);
  });

  router.post('/api/designer/rulesets/validate', json, (req, res) => {
    const parsed = parseRuleSet((req.body as { ruleSet?: unknown } | undefined)?.ruleSet);
    const body: ValidationResponse = parsed.ok ? { ok: true, errors: [] } : { ok: false, errors: parsed.errors };
    res.json(body);
  });

  router.post('/api/designer/rulesets', json, async (req, res) => {
    const body = (req.body ?? {}) as { ruleSet?: unknown; note?: unknown };
    const note = parseNote(body.note);
    if (note === null) return void res.status(400).json({ error: `note: a string of at most ${MAX_PUBLISH_NOTE} characters` });
    const result = await rules!.publishNew(body.ruleSet, req.session!.username, note);
    if (!result.ok) return void res.status(400).json({ error: 'invalid rule set: nothing was published', errors: result.errors });
    const published: PublishResponse = { version: result.version, publishedAt: result.publishedAt.toISOString() };
    res.status(201).json(published);
  });

  router.post('/api/designer/rulesets/:version/publish', json, async (req, res) => {
    const version = parseVersion(req.params.version);
    if (version === null) return void res.status(400).json({ error: 'version: must be a positive integer' });
    const note = parseNote((req.body as { note?: unknown } | undefined)?.note);
    if (note === null) return void res.status(400).json({ error: `note: a string of at most ${MAX_PUBLISH_NOTE} characters` });
    const published = await rules!.publishVersion(version, req.session!.username, note || `rollback to version ${version}`);
    if (!published) return void res.status(404).json({ error: `no rule set version ${version}` });
    const body: PublishResponse = { version: published.version, publishedAt: published.publishedAt.toISOString() };
    res.json(body);
  });

  router.post('/api/designer/dry-run', json, async (req, res, next) => {
    if (!opts.prisma) return void res.status(503).json({ error: 'the dry run replays recorded play: it needs a database' });
    const { version, from, to } = (req.body ?? {}) as Record<string, unknown>;
    const v = typeof version === 'number' ? version : NaN;
    if (!Number.isInteger(v) || v < 1) return void res.status(400).json({ error: 'version: must be a positive integer' });
    const fromDate = parseTime(from);
    const toDate = parseTime(to);
    if (!fromDate) return void res.status(400).json({ error: 'from: must be an ISO date-time' });
    if (!toDate) return void res.status(400).json({ error: 'to: must be an ISO date-time' });
    try {
      res.json(await dryRun(opts.prisma, rules!.store, { version: v, from: fromDate, to: toDate }));
    } catch (err) {
      if (err instanceof DryRunError) return void res.status(err.status).json({ error: err.message });
      next(err);
    }
  });

  router.get('/api/designer/decisions', async (req, res) => {
    if (!opts.prisma) return void res.status(503).json({ error: 'the decision log needs a database' });
    const q = req.query as Record<string, unknown>;
    const where: Record<string, unknown> = {};
    for (const key of ['roomId', 'ruleId'] as const) {
      if (q[key] === undefined) continue;
      if (typeof q[key] !== 'string' || q[key].length > 100) return void res.status(400).json({ error: `${key}: a string of at most 100 characters` });
      where[key] = q[key];
    }
    if (q.playerId !== undefined) {
      if (!isUuid(q.playerId)) return void res.status(400).json({ error: 'playerId: must be a UUID' });
      where.playerId = q.playerId.toLowerCase();
    }
    if (q.kind !== undefined) {
      if (q.kind !== 'activate' && q.kind !== 'deactivate' && q.kind !== 'recommend') {
        return void res.status(400).json({ error: 'kind: activate, deactivate or recommend' });
      }
      where.kind = q.kind;
    }
    const at: Record<string, Date> = {};
    for (const [key, op] of [['since', 'gte'], ['until', 'lte']] as const) {
      if (q[key] === undefined) continue;
      const d = parseTime(q[key]);
      if (!d) return void res.status(400).json({ error: `${key}: must be an ISO date-time` });
      at[op] = d;
    }
    if (Object.keys(at).length) where.at = at;
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return void res.status(400).json({ error: 'limit: an integer from 1 to 1000' });
    const rows = await opts.prisma.directorDecision.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: limit });
    const body: DecisionRecord[] = rows.map((r) => ({
      id: r.id, at: r.at.toISOString(), roomId: r.roomId, matchId: r.matchId, playerId: r.playerId,
      ruleSetVersion: r.ruleSetVersion, ruleId: r.ruleId, kind: r.kind as DecisionRecord['kind'],
      inputs: r.inputs as DecisionRecord['inputs'], changes: r.changes as unknown as DecisionRecord['changes'],
      ...(r.recommendation && { recommendation: r.recommendation as unknown as NonNullable<DecisionRecord['recommendation']> }),
    }));
    res.json(body);
  });

  // Did players take the director's advice? Counted in the database, one row per rule and kind.
  router.get('/api/designer/recommendations', async (req, res) => {
    if (!opts.prisma) return void res.status(503).json({ error: 'recommendation outcomes need a database' });
    const window = parseWindow(req.query as Record<string, unknown>);
    if ('error' in window) return void res.status(400).json(window);
    const { since, until } = window;
    // Times are stored as UTC wall-clock timestamps; ISO strings cast to timestamp keep them so.
    const rows = await opts.prisma.$queryRaw<Array<{ ruleId: string | null; kind: string; shown: number; accepted: number; dismissed: number; ignored: number; withdrawn: number; pending: number }>>`
      SELECT d."ruleId" AS "ruleId", r."kind" AS "kind", count(*)::int AS "shown",
        (count(*) FILTER (WHERE r."outcome" = 'accepted'))::int AS "accepted",
        (count(*) FILTER (WHERE r."outcome" = 'dismissed'))::int AS "dismissed",
        (count(*) FILTER (WHERE r."outcome" = 'ignored'))::int AS "ignored",
        (count(*) FILTER (WHERE r."outcome" = 'withdrawn'))::int AS "withdrawn",
        (count(*) FILTER (WHERE r."outcome" IS NULL))::int AS "pending"
      FROM "Recommendation" r LEFT JOIN "DirectorDecision" d ON d."id" = r."decisionId"
      WHERE r."createdAt" >= ${since.toISOString()}::timestamp(3) AND r."createdAt" < ${until.toISOString()}::timestamp(3)
      GROUP BY 1, 2
      ORDER BY 3 DESC, 1, 2`;
    const body: RecommendationOutcomes = {
      since: since.toISOString(), until: until.toISOString(),
      rows: rows.map((r) => {
        const answered = r.accepted + r.dismissed + r.ignored;
        const lobby = r.kind.startsWith(LOBBY_KIND_PREFIX);
        return {
          ...r, source: lobby ? 'lobby' : 'director', kind: lobby ? r.kind.slice(LOBBY_KIND_PREFIX.length) : r.kind,
          acceptance: answered === 0 ? null : r.accepted / answered,
        };
      }),
    };
    res.json(body);
  });

  // The chat model against the moderators who read its calls: upheld or dismissed, by source and toxicity band.
  router.get('/api/designer/models/chat/reviews', async (req, res) => {
    if (!opts.prisma) return void res.status(503).json({ error: 'chat reviews need a database' });
    const window = parseWindow(req.query as Record<string, unknown>);
    if ('error' in window) return void res.status(400).json(window);
    const { since, until } = window;
    // A flag's outcome is the last verdict a moderator gave it in the window (a later one replaces an earlier).
    const rows = await opts.prisma.$queryRaw<Array<{ kind: string; decision: string | null; band: number | null; upheld: number; dismissed: number }>>`
      SELECT f."kind" AS "kind", f."decision" AS "decision",
        -- LEAST would turn a missing score into band 9: it skips NULLs.
        (CASE WHEN m."toxicity" IS NULL THEN NULL ELSE least(floor(m."toxicity" * 10), 9) END)::int AS "band",
        (count(*) FILTER (WHERE a."action" IN ('warn', 'mute', 'ban')))::int AS "upheld",
        (count(*) FILTER (WHERE a."action" IN ('dismiss', 'approve')))::int AS "dismissed"
      FROM (
        SELECT DISTINCT ON ("flagId") "flagId", "action" FROM "ModerationAction"
        WHERE "flagId" IS NOT NULL AND "action" IN ('warn', 'mute', 'ban', 'dismiss', 'approve')
          AND ("details"->>'coveredBy') IS NULL
          AND "at" >= ${since.toISOString()}::timestamp(3) AND "at" < ${until.toISOString()}::timestamp(3)
        ORDER BY "flagId", "at" DESC, "id" DESC
      ) a
      JOIN "Flag" f ON f."id" = a."flagId"
      LEFT JOIN "ChatMessage" m ON m."id" = f."messageId"
      WHERE f."kind" IN ('chat', 'report')
      GROUP BY 1, 2, 3`;
    const sourceOf = (kind: string, decision: string | null): ChatReviewSource | null => {
      if (kind === 'report') return 'report';
      return decision === 'allow' ? 'review' : decision === 'mask' || decision === 'hold' || decision === 'block' ? decision : null;
    };
    const out: ChatReviewRow[] = rows.flatMap((r) => {
      const source = sourceOf(r.kind, r.decision);
      return source ? [{ source, toxicityFrom: r.band === null ? null : r.band / 10, upheld: r.upheld, dismissed: r.dismissed }] : [];
    });
    const order: readonly ChatReviewSource[] = ['block', 'hold', 'mask', 'review', 'report'];
    out.sort((x, y) => order.indexOf(x.source) - order.indexOf(y.source) || (x.toxicityFrom ?? -1) - (y.toxicityFrom ?? -1));
    const body: ChatModelReviews = {
      since: since.toISOString(), until: until.toISOString(),
      bySource: order.flatMap((source) => {
        const mine = out.filter((r) => r.source === source);
        if (mine.length === 0) return [];
        const upheld = mine.reduce((n, r) => n + r.upheld, 0), dismissed = mine.reduce((n, r) => n + r.dismissed, 0);
        return [{ source, upheld, dismissed, upheldRate: upheld + dismissed === 0 ? null : upheld / (upheld + dismissed) }];
      }),
      rows: out,
    };
    res.json(body);
  });

  router.get('/api/designer/live', (_req, res) => {
    const body: LiveRoom[] = [...liveArenaRooms].flatMap((room) => (room.director ? [room.director.live()] : []));
    res.json(body);
  });

  router.get('/api/designer/models', (_req, res) => {
    const status = opts.inference?.status();
    const body: ModelStatusReport = {
      backend: status?.backend ?? null,
      models: (status?.models ?? []).map((m) => ({ name: m.name, version: m.version, state: m.state, ...(m.error && { error: m.error }) })),
      throughput: status?.counters ? throughput.measure(Object.fromEntries(Object.entries(status.counters).map(([k, c]) => [k, c.scored]))) : {},
      restarts: status?.restarts ?? 0,
      queued: status?.queued ?? 0,
    };
    res.json(body);
  });

  // Players are guests: their recommendations are keyed by the guest id the game gave them.
  router.get('/api/recommendations', async (req, res) => {
    const playerId = req.query.playerId;
    if (playerId !== undefined && !isUuid(playerId)) {
      return void res.status(400).json({ error: 'playerId: must be a UUID' });
    }
    const row = playerId && opts.prisma
      ? await opts.prisma.playerProfile.findUnique({ where: { playerId: playerId.toLowerCase() } })
      : null;
    // The open-room list is the one the server refreshes every 2 s, not a query per lobby poll.
    res.json(lobbyRecommendations(row && { ...row, style: row.style as Record<string, number> }, opts.rooms));
  });

  router.use(jsonBodyErrors);
  return router;
}

function parseVersion(raw: string | undefined): number | null {
  if (!raw || !/^\d{1,9}$/.test(raw)) return null;
  const v = Number(raw);
  return v >= 1 ? v : null;
}

function parseNote(raw: unknown): string | null {
  if (raw === undefined) return '';
  return typeof raw === 'string' && raw.length <= MAX_PUBLISH_NOTE ? raw.trim() : null;
}

function parseTime(raw: unknown): Date | null {
  if (typeof raw !== 'string' || raw.length > 40) return null;
  const d = new Date(raw);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A report's `since`/`until` query (default: the last day; at most a month), or the reason it is refused. */
function parseWindow(q: Record<string, unknown>): { since: Date; until: Date } | { error: string } {
  const until = q.until === undefined ? new Date() : parseTime(q.until);
  if (!until) return { error: 'until: must be an ISO date-time' };
  const since = q.since === undefined ? new Date(until.getTime() - OUTCOME_WINDOW_DEFAULT_MS) : parseTime(q.since);
  if (!since) return { error: 'since: must be an ISO date-time' };
  if (since >= until) return { error: 'since: must be before until' };
  if (until.getTime() - since.getTime() > OUTCOME_WINDOW_MAX_MS) return { error: `since: the window is at most ${OUTCOME_WINDOW_MAX_MS / 86_400_000} days` };
  return { since, until };
}

/** Answers per second from running totals, over the last ~10 s of calls. */
class ThroughputMeter {
  private readonly points: Array<{ t: number; totals: Record<string, number> }> = [];

  measure(totals: Record<string, number>): Record<string, number> {
    const t = Date.now();
    this.points.push({ t, totals });
    while (this.points.length > 2 && t - this.points[1]!.t >= 10_000) this.points.shift();
    const first = this.points[0]!;
    const seconds = (t - first.t) / 1000;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(totals)) out[k] = seconds > 0 ? Math.round(((v - (first.totals[k] ?? 0)) / seconds) * 10) / 10 : 0;
    return out;
  }
}


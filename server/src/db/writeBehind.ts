// Write-behind persistence: the game loop enqueues rows synchronously and never
// waits on the database; a timer writes them in batches, one transaction per
// batch, and keeps them (retrying with backoff) while the database is down.
import { RECOMMENDATION_OUTCOMES, isUuid, type RecommendationOutcome } from '@pulse-arena/shared';
import { sql, SqlFragment, type SqlClient, type SqlStatement } from './sql.js';
import { errorMessage, log } from '../log.js';

const writesLog = log.child({ component: 'write-behind' });

export interface PlayerRow {
  id: string;
  name: string;
  seenAt: Date;
  /** Guests: the keyed hash of the network they play from (see moderation/sanctions.ts). */
  networkKey?: string | null;
}
export interface MatchStartRow {
  id: string;
  roomId: string;
  startedAt: Date;
}
export interface MatchJoinRow {
  matchId: string;
  playerId: string;
  /** The name the player uses in this match. */
  name: string;
  joinedAt: Date;
}
export interface MatchPlayerUpdateRow {
  matchId: string;
  playerId: string;
  score: number;
  kills: number;
  deaths: number;
  /** When the player left; omitted leaves it as is. */
  leftAt?: Date | undefined;
}
export interface MatchEndRow {
  id: string;
  endedAt: Date;
  wavesReached: number;
  score: number;
}
/** One room-second of director input and output (see DirectorSample in prisma/schema.prisma). */
export interface DirectorSampleRow {
  id: string;
  at: Date;
  roomId: string;
  matchId: string;
  ruleSetVersion: number;
  inputs: object;
  knobs: object;
}
export interface DecisionRow {
  id: string;
  at: Date;
  roomId: string;
  matchId: string;
  playerId: string | null;
  ruleSetVersion: number;
  ruleId: string;
  kind: 'activate' | 'deactivate' | 'recommend';
  inputs: object;
  changes: object;
  recommendation?: object | undefined;
}
export interface RecommendationRow {
  id: string;
  playerId: string;
  matchId: string;
  roomId: string;
  kind: string;
  value: string | null;
  message: string;
  decisionId: string | null;
  createdAt: Date;
}
export interface RecommendationOutcomeRow {
  id: string;
  outcome: RecommendationOutcome;
  resolvedAt: Date;
}
export interface PlayerProfileRow {
  playerId: string;
  mode: string;
  loadout: string;
  style: Record<string, number>;
  difficulty: number;
  updatedAt: Date;
}

type Op =
  | ({ kind: 'player' } & PlayerRow)
  | ({ kind: 'matchStart' } & MatchStartRow)
  | ({ kind: 'join' } & MatchJoinRow)
  | ({ kind: 'update' } & MatchPlayerUpdateRow)
  | ({ kind: 'matchEnd' } & MatchEndRow)
  | ({ kind: 'sample' } & DirectorSampleRow)
  // These rows have a `kind` field of their own, so they ride inside the op.
  | { kind: 'decision'; id: string; row: DecisionRow }
  | { kind: 'recommendation'; id: string; row: RecommendationRow }
  | ({ kind: 'outcome' } & RecommendationOutcomeRow)
  | ({ kind: 'profile' } & PlayerProfileRow);
type Queued = { op: Op; seq: number };

export interface WriteBehindOptions {
  /** Flush period (default 1 s: per transaction and statement costs dominate small batches, and game rows are not acknowledged to anyone). */
  flushIntervalMs?: number;
  /** Flush right away once this many writes are queued (default 500). */
  flushAt?: number;
  /** Most writes kept in memory; beyond it the oldest are dropped and counted (default 100 000). */
  maxQueued?: number;
  /** Most writes per transaction (default 2000). */
  maxBatch?: number;
  /** First retry delay after a failed flush, doubled per failure (default 250 ms)... */
  retryBaseMs?: number;
  /** ...up to this (default 10 s). */
  retryMaxMs?: number;
  /** How long `close()` keeps retrying before giving up (default 10 s). */
  closeTimeoutMs?: number;
  /**
   * Told about flush failures (once per outage, and on recovery), writes the database
   * refused for good, and writes dropped for lack of room. Default: the `write-behind` log.
   */
  onEvent?: (event: WriteBehindEvent) => void;
}

export type WriteBehindEvent =
  | { type: 'flushFailed'; error: unknown; queued: number; retryInMs: number }
  | { type: 'recovered'; failedAttempts: number }
  | { type: 'rejected'; error: unknown; write: { kind: Op['kind']; key: string } }
  | { type: 'dropped'; reason: 'overflow' | 'closed'; count: number };

export interface WriteBehindStats {
  /** Writes waiting, including those being written now. */
  queued: number;
  /** Writes stored (committed). */
  written: number;
  /** Flush attempts that failed (each retry counts). */
  failed: number;
  /** Writes dropped: queue full (oldest first) or enqueued after close. */
  dropped: number;
  /** Writes the database refused for good (e.g. a match player naming a player never written). */
  rejected: number;
  /** Duration of the last successful flush, ms (0 before any). */
  lastFlushMs: number;
  /** Failed attempts since the last success; > 0 means the queue is retrying. */
  consecutiveFailures: number;
}

const INT4_MAX = 2_147_483_647;

function fail(kind: string, message: string): never {
  throw new TypeError(`write-behind ${kind}: ${message}`);
}
function checkUuid(kind: string, field: string, v: unknown): string {
  if (!isUuid(v)) fail(kind, `${field} must be a UUID`);
  return v.toLowerCase();
}
function checkText(kind: string, field: string, v: unknown, allowEmpty = true): string {
  if (typeof v !== 'string') fail(kind, `${field} must be a string`);
  if (!allowEmpty && v.length === 0) fail(kind, `${field} must not be empty`);
  if (v.includes('\u0000')) fail(kind, `${field} must not contain NUL characters`);
  return v;
}
function checkDate(kind: string, field: string, v: unknown): Date {
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) fail(kind, `${field} must be a valid Date`);
  return new Date(v.getTime());
}

/**
 * JSON columns: a plain object or array. Not copied or walked: the callers (the director)
 * build a fresh object per write and never touch it again, and the director runs inside
 * the tick, where a deep copy per second per room was the largest cost. NaN and Infinity
 * cannot occur (the director rounds finite numbers) and would be stored as null anyway.
 */
function checkJson(kind: string, field: string, v: unknown): object {
  if (typeof v !== 'object' || v === null) fail(kind, `${field} must be an object`);
  return v;
}

function checkInt(kind: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > INT4_MAX) {
    fail(kind, `${field} must be an integer from 0 to ${INT4_MAX}`);
  }
  return v;
}

/** Growable ring buffer: O(1) push/shift at both ends. */
class Deque<T> {
  private items: (T | undefined)[] = new Array<T | undefined>(64);
  private head = 0;
  size = 0;

  push(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) % this.items.length] = item;
    this.size++;
  }
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.size--;
    return item;
  }
  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }
  /** Puts `batch` back in front, in its order. */
  unshiftAll(batch: readonly T[]): void {
    for (let i = batch.length - 1; i >= 0; i--) {
      if (this.size === this.items.length) this.grow();
      this.head = (this.head - 1 + this.items.length) % this.items.length;
      this.items[this.head] = batch[i];
      this.size++;
    }
  }
  private grow(): void {
    const next = new Array<T | undefined>(this.items.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}

const iso = (d: Date) => d.toISOString();

/**
 * Folds a batch into one statement per kind. Later writes to the same row win,
 * and every statement is idempotent, so a batch whose commit was lost can be
 * written again. Order inside the transaction puts referenced rows first.
 */
function buildStatements(batch: readonly Queued[]): SqlStatement[] {
  const players = new Map<string, PlayerRow & { firstSeenAt: Date }>();
  const starts = new Map<string, MatchStartRow>();
  type MP = { matchId: string; playerId: string; join?: { name: string; joinedAt: Date }; stats?: [number, number, number]; leftAt?: Date | null };
  const matchPlayers = new Map<string, MP>();
  const ends = new Map<string, MatchEndRow>();
  const samples = new Map<string, DirectorSampleRow>();
  const decisions = new Map<string, DecisionRow>();
  const recommendations = new Map<string, RecommendationRow>();
  const outcomes = new Map<string, RecommendationOutcomeRow>();
  const profiles = new Map<string, PlayerProfileRow>();

  for (const { op } of batch) {
    switch (op.kind) {
      case 'player': {
        const prev = players.get(op.id);
        if (!prev) players.set(op.id, { id: op.id, name: op.name, seenAt: op.seenAt, firstSeenAt: op.seenAt, networkKey: op.networkKey });
        else {
          if (op.seenAt >= prev.seenAt) Object.assign(prev, { name: op.name, seenAt: op.seenAt, networkKey: op.networkKey ?? prev.networkKey });
          if (op.seenAt < prev.firstSeenAt) prev.firstSeenAt = op.seenAt;
        }
        break;
      }
      case 'matchStart':
        if (!starts.has(op.id)) starts.set(op.id, op);
        break;
      case 'join':
      case 'update': {
        const key = `${op.matchId}/${op.playerId}`;
        let mp = matchPlayers.get(key);
        if (!mp) matchPlayers.set(key, (mp = { matchId: op.matchId, playerId: op.playerId }));
        if (op.kind === 'join') {
          mp.join = { name: op.name, joinedAt: mp.join?.joinedAt ?? op.joinedAt };
          mp.leftAt = null; // (re)joining clears an earlier leave
        } else {
          mp.stats = [op.score, op.kills, op.deaths];
          if (op.leftAt !== undefined) mp.leftAt = op.leftAt;
        }
        break;
      }
      case 'matchEnd':
        ends.set(op.id, op);
        break;
      case 'sample': {
        const { kind: _kind, ...row } = op;
        samples.set(op.id, row);
        break;
      }
      case 'decision':
        decisions.set(op.id, op.row);
        break;
      case 'recommendation':
        recommendations.set(op.id, op.row);
        break;
      case 'outcome': {
        // The first answer to a recommendation stands.
        const { kind: _kind, ...row } = op;
        if (!outcomes.has(op.id)) outcomes.set(op.id, row);
        break;
      }
      case 'profile': {
        const { kind: _kind, ...row } = op;
        profiles.set(op.playerId, row);
        break;
      }
    }
  }

  const out: SqlStatement[] = [];
  if (players.size > 0) {
    const rows = [...players.values()];
    out.push(sql`
      INSERT INTO "Player" ("id", "name", "createdAt", "lastSeenAt", "networkKey")
      SELECT * FROM unnest(
        ${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.name)}::text[],
        ${rows.map((r) => iso(r.firstSeenAt))}::timestamp(3)[], ${rows.map((r) => iso(r.seenAt))}::timestamp(3)[],
        ${rows.map((r) => r.networkKey ?? null)}::text[]
      )
      ON CONFLICT ("id") DO UPDATE SET
        "name" = CASE WHEN EXCLUDED."lastSeenAt" >= "Player"."lastSeenAt" THEN EXCLUDED."name" ELSE "Player"."name" END,
        -- The chat store may have created the row first (without a network), with a later time.
        "networkKey" = CASE WHEN EXCLUDED."networkKey" IS NOT NULL
            AND (EXCLUDED."lastSeenAt" >= "Player"."lastSeenAt" OR "Player"."networkKey" IS NULL)
          THEN EXCLUDED."networkKey" ELSE "Player"."networkKey" END,
        "lastSeenAt" = GREATEST("Player"."lastSeenAt", EXCLUDED."lastSeenAt")`);
  }
  if (starts.size > 0) {
    const rows = [...starts.values()];
    out.push(sql`
      INSERT INTO "Match" ("id", "roomId", "startedAt")
      SELECT * FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.roomId)}::text[], ${rows.map((r) => iso(r.startedAt))}::timestamp(3)[])
      ON CONFLICT ("id") DO NOTHING`);
  }
  const joins = [...matchPlayers.values()].filter((mp) => mp.join);
  for (const withStats of [true, false]) {
    const rows = joins.filter((mp) => (mp.stats !== undefined) === withStats);
    if (rows.length === 0) continue;
    const statsSet = withStats
      ? new SqlFragment(', "score" = EXCLUDED."score", "kills" = EXCLUDED."kills", "deaths" = EXCLUDED."deaths"')
      : new SqlFragment('');
    out.push(sql`
      INSERT INTO "MatchPlayer" ("matchId", "playerId", "name", "score", "kills", "deaths", "joinedAt", "leftAt")
      SELECT * FROM unnest(
        ${rows.map((r) => r.matchId)}::uuid[], ${rows.map((r) => r.playerId)}::uuid[], ${rows.map((r) => r.join!.name)}::text[],
        ${rows.map((r) => r.stats?.[0] ?? 0)}::int4[], ${rows.map((r) => r.stats?.[1] ?? 0)}::int4[], ${rows.map((r) => r.stats?.[2] ?? 0)}::int4[],
        ${rows.map((r) => iso(r.join!.joinedAt))}::timestamp(3)[], ${rows.map((r) => (r.leftAt ? iso(r.leftAt) : null))}::timestamp(3)[]
      )
      ON CONFLICT ("matchId", "playerId") DO UPDATE SET "name" = EXCLUDED."name", "leftAt" = EXCLUDED."leftAt"${statsSet}`);
  }
  const updates = [...matchPlayers.values()].filter((mp) => !mp.join && mp.stats);
  if (updates.length > 0) {
    out.push(sql`
      UPDATE "MatchPlayer" AS m SET
        "score" = u.score, "kills" = u.kills, "deaths" = u.deaths,
        "leftAt" = CASE WHEN u.set_left THEN u.left_at ELSE m."leftAt" END
      FROM unnest(
        ${updates.map((r) => r.matchId)}::uuid[], ${updates.map((r) => r.playerId)}::uuid[],
        ${updates.map((r) => r.stats![0])}::int4[], ${updates.map((r) => r.stats![1])}::int4[], ${updates.map((r) => r.stats![2])}::int4[],
        ${updates.map((r) => r.leftAt !== undefined)}::bool[], ${updates.map((r) => (r.leftAt ? iso(r.leftAt) : null))}::timestamp(3)[]
      ) AS u(match_id, player_id, score, kills, deaths, set_left, left_at)
      WHERE m."matchId" = u.match_id AND m."playerId" = u.player_id`);
  }
  if (ends.size > 0) {
    const rows = [...ends.values()];
    out.push(sql`
      UPDATE "Match" AS m SET "endedAt" = u.ended, "wavesReached" = u.waves, "score" = u.score
      FROM unnest(
        ${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => iso(r.endedAt))}::timestamp(3)[],
        ${rows.map((r) => r.wavesReached)}::int4[], ${rows.map((r) => r.score)}::int4[]
      ) AS u(id, ended, waves, score)
      WHERE m."id" = u.id`);
  }
  // The director's rows are mostly nested JSON: they go as one JSON document per statement
  // (native JSON.stringify, one parameter), where text[] parameters would make the driver
  // escape every quote of every element.
  if (samples.size > 0) {
    const rows = [...samples.values()].map((r) => ({
      i: r.id, a: iso(r.at), r: r.roomId, m: r.matchId, v: r.ruleSetVersion, inp: r.inputs, k: r.knobs,
    }));
    out.push(sql`
      INSERT INTO "DirectorSample" ("id", "at", "roomId", "matchId", "ruleSetVersion", "inputs", "knobs")
      SELECT i, a, r, m, v, inp, k FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS x(i uuid, a timestamp(3), r text, m uuid, v int4, inp jsonb, k jsonb)
      ON CONFLICT ("id") DO NOTHING`);
  }
  if (decisions.size > 0) {
    const rows = [...decisions.values()].map((r) => ({
      i: r.id, a: iso(r.at), r: r.roomId, m: r.matchId, p: r.playerId, v: r.ruleSetVersion, ru: r.ruleId, k: r.kind,
      inp: r.inputs, ch: r.changes, rec: r.recommendation ?? null,
    }));
    out.push(sql`
      INSERT INTO "DirectorDecision" ("id", "at", "roomId", "matchId", "playerId", "ruleSetVersion", "ruleId", "kind", "inputs", "changes", "recommendation")
      SELECT i, a, r, m, p, v, ru, k, inp, ch, rec FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS x(i uuid, a timestamp(3), r text, m uuid, p uuid, v int4, ru text, k text, inp jsonb, ch jsonb, rec jsonb)
      ON CONFLICT ("id") DO NOTHING`);
  }
  if (recommendations.size > 0) {
    const rows = [...recommendations.values()].map((r) => ({
      i: r.id, p: r.playerId, m: r.matchId, r: r.roomId, k: r.kind, v: r.value, msg: r.message, d: r.decisionId, c: iso(r.createdAt),
    }));
    out.push(sql`
      INSERT INTO "Recommendation" ("id", "playerId", "matchId", "roomId", "kind", "value", "message", "decisionId", "createdAt")
      SELECT i, p, m, r, k, v, msg, d, c FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS x(i uuid, p uuid, m uuid, r text, k text, v text, msg text, d uuid, c timestamp(3))
      ON CONFLICT ("id") DO NOTHING`);
  }
  if (outcomes.size > 0) {
    const rows = [...outcomes.values()];
    out.push(sql`
      UPDATE "Recommendation" AS r SET "outcome" = u.outcome, "resolvedAt" = u.resolved
      FROM unnest(${rows.map((o) => o.id)}::uuid[], ${rows.map((o) => o.outcome)}::text[], ${rows.map((o) => iso(o.resolvedAt))}::timestamp(3)[])
        AS u(id, outcome, resolved)
      WHERE r."id" = u.id AND r."outcome" IS NULL`);
  }
  if (profiles.size > 0) {
    const rows = [...profiles.values()].map((r) => ({
      p: r.playerId, m: r.mode, l: r.loadout, s: r.style, d: r.difficulty, u: iso(r.updatedAt),
    }));
    out.push(sql`
      INSERT INTO "PlayerProfile" ("playerId", "mode", "loadout", "style", "difficulty", "updatedAt")
      SELECT p, m, l, s, d, u FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS x(p uuid, m text, l text, s jsonb, d float8, u timestamp(3))
      ON CONFLICT ("playerId") DO UPDATE SET "mode" = EXCLUDED."mode", "loadout" = EXCLUDED."loadout",
        "style" = EXCLUDED."style", "difficulty" = EXCLUDED."difficulty", "updatedAt" = EXCLUDED."updatedAt"
      WHERE EXCLUDED."updatedAt" >= "PlayerProfile"."updatedAt"`);
  }
  return out;
}

function keyOf(op: Op): string {
  switch (op.kind) {
    case 'join':
    case 'update':
      return `${op.matchId}/${op.playerId}`;
    case 'profile':
      return op.playerId;
    default:
      return op.id;
  }
}

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

function defaultOnEvent(event: WriteBehindEvent): void {
  switch (event.type) {
    case 'flushFailed':
      writesLog.warn({ queued: event.queued, retryInMs: event.retryInMs, error: errorMessage(event.error) }, 'writes failing: queued, retrying');
      break;
    case 'recovered':
      writesLog.warn({ failedAttempts: event.failedAttempts }, 'writes recovered');
      break;
    case 'rejected':
      writesLog.error({ kind: event.write.kind, key: event.write.key, error: errorMessage(event.error) }, 'write refused by the database, dropped');
      break;
    case 'dropped':
      writesLog.error({ count: event.count, reason: event.reason }, 'writes dropped');
      break;
  }
}

/**
 * Queues game writes in memory and stores them in the background.
 *
 * Enqueue methods are synchronous and O(1). Every `flushIntervalMs` (or once
 * `flushAt` writes wait) a batch is written in one transaction, with referenced
 * rows (players, matches) first. When that fails the writes stay queued and are
 * retried with exponential backoff; if the database answers but refuses the
 * batch, writes are retried one by one and only those refused again are dropped
 * (`rejected`). Memory is bounded by `maxQueued` (oldest dropped first).
 * Writes naming other rows must be enqueued after them (a join after its player and match).
 */
export class WriteBehindQueue {
  private readonly pending = new Deque<Queued>();
  private inFlight = 0;
  private seq = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private nextRetryAt = 0;
  private readonly counters = { written: 0, failed: 0, dropped: 0, rejected: 0, lastFlushMs: 0, consecutiveFailures: 0 };
  private readonly opts: Required<Omit<WriteBehindOptions, 'onEvent'>> & Pick<WriteBehindOptions, 'onEvent'>;
  private readonly onEvent: (event: WriteBehindEvent) => void;

  constructor(
    private readonly db: SqlClient,
    options: WriteBehindOptions = {},
  ) {
    this.opts = {
      flushIntervalMs: 1000,
      flushAt: 500,
      maxQueued: 100_000,
      maxBatch: 2000,
      retryBaseMs: 250,
      retryMaxMs: 10_000,
      closeTimeoutMs: 10_000,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    };
    if (this.opts.maxQueued < 1 || this.opts.maxBatch < 1) throw new RangeError('maxQueued and maxBatch must be at least 1');
    this.onEvent = options.onEvent ?? defaultOnEvent;
    this.schedule(this.opts.flushIntervalMs);
  }

  /** Creates or renames a player and moves `lastSeenAt` forward. @throws {TypeError} on an invalid row. */
  upsertPlayer(row: PlayerRow): void {
    const k = 'upsertPlayer';
    const networkKey = row.networkKey ?? null;
    if (networkKey !== null && (typeof networkKey !== 'string' || !/^[0-9a-f]{32}$/.test(networkKey))) fail(k, 'networkKey must be 32 hex digits or null');
    this.enqueue({ kind: 'player', id: checkUuid(k, 'id', row.id), name: checkText(k, 'name', row.name), seenAt: checkDate(k, 'seenAt', row.seenAt), networkKey });
  }

  /** Creates a match (a repeat is ignored). @throws {TypeError} on an invalid row. */
  startMatch(row: MatchStartRow): void {
    const k = 'startMatch';
    this.enqueue({
      kind: 'matchStart',
      id: checkUuid(k, 'id', row.id),
      roomId: checkText(k, 'roomId', row.roomId, false),
      startedAt: checkDate(k, 'startedAt', row.startedAt),
    });
  }

  /** Adds a player to a match, or marks them back in after leaving. @throws {TypeError} on an invalid row. */
  joinMatch(row: MatchJoinRow): void {
    const k = 'joinMatch';
    this.enqueue({
      kind: 'join',
      matchId: checkUuid(k, 'matchId', row.matchId),
      playerId: checkUuid(k, 'playerId', row.playerId),
      name: checkText(k, 'name', row.name),
      joinedAt: checkDate(k, 'joinedAt', row.joinedAt),
    });
  }

  /** Sets a player's totals in a match (and when they left). @throws {TypeError} on an invalid row. */
  updateMatchPlayer(row: MatchPlayerUpdateRow): void {
    const k = 'updateMatchPlayer';
    this.enqueue({
      kind: 'update',
      matchId: checkUuid(k, 'matchId', row.matchId),
      playerId: checkUuid(k, 'playerId', row.playerId),
      score: checkInt(k, 'score', row.score),
      kills: checkInt(k, 'kills', row.kills),
      deaths: checkInt(k, 'deaths', row.deaths),
      leftAt: row.leftAt === undefined ? undefined : checkDate(k, 'leftAt', row.leftAt),
    });
  }

  /** Records a match's end and results. @throws {TypeError} on an invalid row. */
  endMatch(row: MatchEndRow): void {
    const k = 'endMatch';
    this.enqueue({
      kind: 'matchEnd',
      id: checkUuid(k, 'id', row.id),
      endedAt: checkDate(k, 'endedAt', row.endedAt),
      wavesReached: checkInt(k, 'wavesReached', row.wavesReached),
      score: checkInt(k, 'score', row.score),
    });
  }

  /** Stores one director sample (once per `id`). @throws {TypeError} on an invalid row. */
  recordDirectorSample(row: DirectorSampleRow): void {
    const k = 'recordDirectorSample';
    this.enqueue({
      kind: 'sample', id: checkUuid(k, 'id', row.id), at: checkDate(k, 'at', row.at),
      roomId: checkText(k, 'roomId', row.roomId, false), matchId: checkUuid(k, 'matchId', row.matchId),
      ruleSetVersion: checkInt(k, 'ruleSetVersion', row.ruleSetVersion),
      inputs: checkJson(k, 'inputs', row.inputs), knobs: checkJson(k, 'knobs', row.knobs),
    });
  }

  /** Stores one director decision (once per `id`). @throws {TypeError} on an invalid row. */
  recordDecision(row: DecisionRow): void {
    const k = 'recordDecision';
    if (!['activate', 'deactivate', 'recommend'].includes(row.kind)) fail(k, 'kind must be activate, deactivate or recommend');
    const id = checkUuid(k, 'id', row.id);
    this.enqueue({
      kind: 'decision', id,
      row: {
        id, at: checkDate(k, 'at', row.at),
        roomId: checkText(k, 'roomId', row.roomId, false), matchId: checkUuid(k, 'matchId', row.matchId),
        playerId: row.playerId === null ? null : checkUuid(k, 'playerId', row.playerId),
        ruleSetVersion: checkInt(k, 'ruleSetVersion', row.ruleSetVersion), ruleId: checkText(k, 'ruleId', row.ruleId, false),
        kind: row.kind, inputs: checkJson(k, 'inputs', row.inputs), changes: checkJson(k, 'changes', row.changes),
        ...(row.recommendation && { recommendation: checkJson(k, 'recommendation', row.recommendation) }),
      },
    });
  }

  /** Stores a recommendation shown to a player. @throws {TypeError} on an invalid row. */
  recordRecommendation(row: RecommendationRow): void {
    const k = 'recordRecommendation';
    const id = checkUuid(k, 'id', row.id);
    this.enqueue({
      kind: 'recommendation', id,
      row: {
        id, playerId: checkUuid(k, 'playerId', row.playerId),
        matchId: checkUuid(k, 'matchId', row.matchId), roomId: checkText(k, 'roomId', row.roomId, false),
        kind: checkText(k, 'kind', row.kind, false), value: row.value === null ? null : checkText(k, 'value', row.value),
        message: checkText(k, 'message', row.message), decisionId: row.decisionId === null ? null : checkUuid(k, 'decisionId', row.decisionId),
        createdAt: checkDate(k, 'createdAt', row.createdAt),
      },
    });
  }

  /** Records what the player did with a recommendation; the first answer stands. @throws {TypeError} on an invalid row. */
  resolveRecommendation(row: RecommendationOutcomeRow): void {
    const k = 'resolveRecommendation';
    if (!(RECOMMENDATION_OUTCOMES as readonly string[]).includes(row.outcome)) fail(k, `outcome must be one of ${RECOMMENDATION_OUTCOMES.join(', ')}`);
    this.enqueue({ kind: 'outcome', id: checkUuid(k, 'id', row.id), outcome: row.outcome, resolvedAt: checkDate(k, 'resolvedAt', row.resolvedAt) });
  }

  /** Keeps what the director learnt about a player for the lobby. @throws {TypeError} on an invalid row. */
  saveProfile(row: PlayerProfileRow): void {
    const k = 'saveProfile';
    if (!Number.isFinite(row.difficulty)) fail(k, 'difficulty must be a finite number');
    this.enqueue({
      kind: 'profile', playerId: checkUuid(k, 'playerId', row.playerId), mode: checkText(k, 'mode', row.mode, false),
      loadout: checkText(k, 'loadout', row.loadout, false), style: checkJson(k, 'style', row.style) as Record<string, number>,
      difficulty: row.difficulty, updatedAt: checkDate(k, 'updatedAt', row.updatedAt),
    });
  }

  stats(): WriteBehindStats {
    const { written, failed, dropped, rejected, lastFlushMs, consecutiveFailures } = this.counters;
    return { queued: this.pending.size + this.inFlight, written, failed, dropped, rejected, lastFlushMs, consecutiveFailures };
  }

  /**
   * Writes everything enqueued before the call (now, ignoring any retry backoff).
   * @throws the database error when a write attempt fails; the writes stay queued and are retried.
   */
  async flush(): Promise<void> {
    const target = this.seq;
    for (;;) {
      if (this.flushing) {
        await this.flushing.catch(() => undefined);
        continue;
      }
      const next = this.pending.peek();
      if (!next || next.seq > target) return;
      await this.flushOnce(true);
    }
  }

  /**
   * Stops the timer and writes what is queued, retrying with backoff for up to
   * `closeTimeoutMs`. Later enqueues are dropped (counted, reported).
   * @throws when writes are still unwritten at the deadline (they are lost with the process).
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const deadline = Date.now() + this.opts.closeTimeoutMs;
    let delay = this.opts.retryBaseMs;
    for (;;) {
      try {
        await this.flush();
        return;
      } catch (err) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(`write-behind queue closed with ${this.stats().queued} writes unwritten: ${(err as Error)?.message ?? err}`, { cause: err });
        }
        await sleep(Math.min(delay, left));
        delay = Math.min(delay * 2, this.opts.retryMaxMs);
      }
    }
  }

  private enqueue(op: Op): void {
    if (this.closed) {
      this.counters.dropped++;
      this.onEvent({ type: 'dropped', reason: 'closed', count: 1 });
      return;
    }
    if (this.pending.size + this.inFlight >= this.opts.maxQueued) {
      // Writes being written now can't be dropped; then the newest gives way.
      if (this.pending.size === 0) {
        this.noteOverflow(1);
        return;
      }
      this.pending.shift();
      this.noteOverflow(1);
    }
    this.pending.push({ op, seq: ++this.seq });
    if (this.pending.size >= this.opts.flushAt && !this.flushing && Date.now() >= this.nextRetryAt) this.schedule(0);
  }

  private noteOverflow(count: number): void {
    const before = this.counters.dropped;
    this.counters.dropped += count;
    // Report the first drop of a run, then every 1000th: the caller's loop must not turn into logging.
    if (before === 0 || Math.floor(before / 1000) !== Math.floor(this.counters.dropped / 1000)) {
      this.onEvent({ type: 'dropped', reason: 'overflow', count: this.counters.dropped });
    }
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (!this.flushing && this.pending.size > 0 && Date.now() >= this.nextRetryAt) {
      await this.flushOnce(false).catch(() => undefined);
    }
    const wait = Math.max(this.opts.flushIntervalMs, this.nextRetryAt - Date.now());
    this.schedule(this.pending.size >= this.opts.flushAt && this.nextRetryAt <= Date.now() ? 0 : wait);
  }

  /** One batch. `explicit` failures are rethrown to the `flush()` caller. */
  private flushOnce(explicit: boolean): Promise<void> {
    const run = this.writeNextBatch().finally(() => {
      this.flushing = undefined;
    });
    this.flushing = run;
    return explicit ? run : run.catch(() => undefined);
  }

  private async writeNextBatch(): Promise<void> {
    const batch: Queued[] = [];
    while (batch.length < this.opts.maxBatch && this.pending.size > 0) batch.push(this.pending.shift()!);
    if (batch.length === 0) return;
    this.inFlight = batch.length;
    const started = performance.now();
    try {
      try {
        await this.db.transaction(buildStatements(batch));
        this.counters.written += batch.length;
      } catch (err) {
        if (!(await this.databaseAnswers())) {
          this.requeue(batch);
          throw err;
        }
        await this.writeOneByOne(batch);
      }
      this.counters.lastFlushMs = performance.now() - started;
      this.succeeded();
    } catch (err) {
      this.failedAttempt(err);
      throw err;
    } finally {
      this.inFlight = 0;
    }
  }

  /**
   * The database is up but refused the batch: find the writes it refuses.
   * Each is tried twice (the first refusal may have been a transient conflict).
   * On a connection failure the rest goes back to the queue.
   */
  private async writeOneByOne(batch: Queued[]): Promise<void> {
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i]!;
      let lastErr: unknown;
      let ok = false;
      for (let attempt = 0; attempt < 2 && !ok; attempt++) {
        try {
          await this.db.transaction(buildStatements([item]));
          ok = true;
        } catch (err) {
          lastErr = err;
          if (!(await this.databaseAnswers())) {
            this.requeue(batch.slice(i));
            throw err;
          }
        }
      }
      if (ok) {
        this.counters.written++;
      } else {
        this.counters.rejected++;
        this.onEvent({ type: 'rejected', error: lastErr, write: { kind: item.op.kind, key: keyOf(item.op) } });
      }
      this.inFlight--;
    }
  }

  private succeeded(): void {
    if (this.counters.consecutiveFailures > 0) this.onEvent({ type: 'recovered', failedAttempts: this.counters.consecutiveFailures });
    this.counters.consecutiveFailures = 0;
    this.nextRetryAt = 0;
  }

  private failedAttempt(err: unknown): void {
    this.counters.failed++;
    this.counters.consecutiveFailures++;
    const n = this.counters.consecutiveFailures;
    const backoff = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** Math.min(n - 1, 20));
    const delay = Math.round(backoff * (0.75 + Math.random() * 0.5)); // jitter: many rooms, one database
    this.nextRetryAt = Date.now() + delay;
    if (n === 1) this.onEvent({ type: 'flushFailed', error: err, queued: this.stats().queued, retryInMs: delay });
  }

  private requeue(items: Queued[]): void {
    this.pending.unshiftAll(items);
    const over = this.pending.size - this.opts.maxQueued;
    if (over > 0) {
      for (let i = 0; i < over; i++) this.pending.shift();
      this.noteOverflow(over);
    }
  }

  private databaseAnswers(): Promise<boolean> {
    return this.db.ping(2000);
  }
}

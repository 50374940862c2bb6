/**
 * Dry run: replays the recorded director samples of a time range through a rule-set
 * version and reports what it would have done, beside what the live director did.
 *
 * Each match is replayed from its first recorded sample (so rule states at the start of
 * the range are what they were live), but only samples inside the range are counted.
 * With the version that was live, the replay reproduces the live decisions exactly: the
 * director is deterministic in its samples.
 */
import {
  KNOB_BOUNDS, PLAYER_KNOBS, RECOMMENDATION_KINDS, ROOM_KNOBS,
  type DryRunReport, type KnobDistribution, type KnobName, type RecommendationKind,
} from '@pulse-arena/shared';
import type { PrismaClient } from '../generated/prisma/client.js';
import { Director, round, type DirectorSample } from './director.js';
import { compile } from './ruleRegistry.js';
import type { RuleStore } from './ruleStore.js';

/** Longest range one dry run may cover. */
export const MAX_DRY_RUN_HOURS = 24;
/** Samples read per query: bounds memory whatever the range. */
const PAGE = 2000;

export class DryRunError extends Error {
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
  }
}

interface StoredInputs { room: DirectorSample['room']; players: DirectorSample['players'] }
interface StoredKnobs { room: Record<string, number>; players: Record<string, Record<string, number>> }

/**
 * @throws DryRunError 400 for a bad range, 404 for an unknown version.
 */
export async function dryRun(
  prisma: PrismaClient, store: RuleStore, request: { version: number; from: Date; to: Date },
): Promise<DryRunReport> {
  const started = performance.now();
  const { version, from, to } = request;
  if (!(from.getTime() < to.getTime())) throw new DryRunError(400, 'from: must be before to');
  if (to.getTime() - from.getTime() > MAX_DRY_RUN_HOURS * 3600_000) throw new DryRunError(400, `to: at most ${MAX_DRY_RUN_HOURS} h after from`);
  const stored = await store.get(version);
  if (!stored) throw new DryRunError(404, `version: no rule set version ${version}`);
  const rules = compile(version, stored.ruleSet);

  const inRange = await prisma.directorSample.groupBy({
    by: ['matchId'], where: { at: { gte: from, lte: to } }, _min: { at: true },
  });
  const dry = new Tally();
  const actual = new Tally();
  const players = new Set<string>();
  const recordedVersions = new Set<number>();
  let samples = 0;

  for (const { matchId } of inRange) {
    const director = new Director(rules);
    // Warm up from the match's first sample, up to 24 h back, so rule states match live.
    let cursor: { id: string } | undefined;
    const since = new Date(from.getTime() - MAX_DRY_RUN_HOURS * 3600_000);
    for (;;) {
      const page = await prisma.directorSample.findMany({
        where: { matchId, at: { gte: since, lte: to } },
        orderBy: [{ at: 'asc' }, { id: 'asc' }],
        take: PAGE,
        ...(cursor && { cursor, skip: 1 }),
      });
      for (const row of page) {
        const inputs = row.inputs as unknown as StoredInputs;
        const step = director.step({ t: row.at.getTime(), room: inputs.room, players: inputs.players });
        if (row.at < from) continue;
        samples++;
        recordedVersions.add(row.ruleSetVersion);
        for (const p of inputs.players) players.add(p.playerId);
        for (const d of step.decisions) {
          if (d.kind === 'activate') dry.rule(d.ruleId);
          if (d.kind === 'recommend' && d.recommendation) dry.recommendation(d.recommendation.kind);
        }
        dry.knobs(step.room, [...step.players.values()]);
        const knobs = row.knobs as unknown as StoredKnobs;
        actual.knobs(knobs.room, Object.values(knobs.players));
      }
      if (page.length < PAGE) break;
      cursor = { id: page.at(-1)!.id };
    }
  }

  const decisions = await prisma.directorDecision.groupBy({
    by: ['ruleId', 'kind'], where: { at: { gte: from, lte: to }, kind: 'activate' }, _count: { _all: true },
  });
  for (const d of decisions) actual.rule(d.ruleId, d._count._all);
  const recs = await prisma.directorDecision.findMany({
    where: { at: { gte: from, lte: to }, kind: 'recommend' }, select: { recommendation: true },
  });
  for (const r of recs) {
    const kind = (r.recommendation as { kind?: string } | null)?.kind;
    if (kind && (RECOMMENDATION_KINDS as readonly string[]).includes(kind)) actual.recommendation(kind as RecommendationKind);
  }

  const ruleIds = [...new Set([...rules.rules.map((r) => r.id), ...actual.rules.keys(), ...dry.rules.keys()])];
  return {
    version, from: from.toISOString(), to: to.toISOString(), samples, matches: inRange.length, players: players.size,
    recordedVersions: [...recordedVersions].sort((a, b) => a - b),
    elapsedMs: Math.round(performance.now() - started),
    decisionsByRule: ruleIds.map((ruleId) => ({ ruleId, dryRun: dry.rules.get(ruleId) ?? 0, actual: actual.rules.get(ruleId) ?? 0 })),
    recommendationsByKind: RECOMMENDATION_KINDS.map((kind) => ({ kind, dryRun: dry.recs.get(kind) ?? 0, actual: actual.recs.get(kind) ?? 0 })),
    knobs: [...PLAYER_KNOBS, ...ROOM_KNOBS].map((knob) => ({ knob, dryRun: distribution(knob, dry.values(knob)), actual: distribution(knob, actual.values(knob)) })),
  };
}

/** Counts of one side of the report. */
class Tally {
  readonly rules = new Map<string, number>();
  readonly recs = new Map<RecommendationKind, number>();
  private readonly knobValues = new Map<KnobName, number[]>();

  rule(id: string, n = 1): void {
    this.rules.set(id, (this.rules.get(id) ?? 0) + n);
  }

  recommendation(kind: RecommendationKind): void {
    this.recs.set(kind, (this.recs.get(kind) ?? 0) + 1);
  }

  knobs(room: Record<string, number>, players: Array<Record<string, number>>): void {
    for (const k of ROOM_KNOBS) this.push(k, room[k]);
    for (const p of players) for (const k of PLAYER_KNOBS) this.push(k, p[k]);
  }

  values(knob: KnobName): number[] {
    return this.knobValues.get(knob) ?? [];
  }

  private push(knob: KnobName, v: number | undefined): void {
    if (typeof v !== 'number' || !Number.isFinite(v)) return;
    let list = this.knobValues.get(knob);
    if (!list) this.knobValues.set(knob, (list = []));
    list.push(v);
  }
}

export function distribution(knob: KnobName, values: number[]): KnobDistribution {
  const histogram = new Array<number>(10).fill(0);
  if (values.length === 0) return { count: 0, min: 0, p10: 0, p50: 0, p90: 0, max: 0, mean: 0, histogram };
  const sorted = Float64Array.from(values).sort();
  const b = KNOB_BOUNDS[knob];
  let sum = 0;
  for (const v of sorted) {
    sum += v;
    histogram[Math.min(9, Math.max(0, Math.floor(((v - b.min) / (b.max - b.min)) * 10)))]!++;
  }
  const q = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
  return {
    count: sorted.length, min: round(sorted[0]!), p10: q(0.1), p50: q(0.5), p90: q(0.9),
    max: round(sorted[sorted.length - 1]!), mean: round(sum / sorted.length), histogram,
  };
}

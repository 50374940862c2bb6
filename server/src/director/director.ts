/**
 * The director: once a second per room, turns the inputs of every player (model outputs,
 * chat trend, game stats) and of the room through the live rule set into difficulty
 * knobs and recommendations, with a trace for every decision.
 *
 * It is a deterministic function of (rule set, sequence of samples): time comes only from
 * `sample.t`, so the dry run replays recorded samples through the very same code and gets
 * the very same decisions. No I/O, no clocks, no randomness.
 */
import {
  KNOB_BOUNDS, PLAYER_KNOBS, ROOM_KNOBS, conditionInputs, decidingInputs, defaultKnobs, evaluateCondition,
  type DecisionRecord, type DifficultyKnobs, type InputName, type InputValues, type KnobChange, type KnobName, type Mode,
  type RecommendAction, type ResolvedRule,
} from '@pulse-arena/shared';

export type PlayerKnobName = (typeof PLAYER_KNOBS)[number];
export type RoomKnobName = (typeof ROOM_KNOBS)[number];
export type PlayerKnobs = Pick<DifficultyKnobs, PlayerKnobName>;
export type RoomKnobs = Pick<DifficultyKnobs, RoomKnobName>;

/**
 * Each mode's baseline for the player knobs, as factors of the defaults; rules adjust from
 * there ("scale" and "add" are relative to this baseline).
 */
export const MODE_FACTORS: Readonly<Record<Mode, PlayerKnobs>> = Object.freeze({
  casual: { enemySpeed: 0.85, enemyDamage: 0.7, enemyAccuracy: 0.75, pickupRate: 1.3 },
  standard: { enemySpeed: 1, enemyDamage: 1, enemyAccuracy: 1, pickupRate: 1 },
  hardcore: { enemySpeed: 1.15, enemyDamage: 1.3, enemyAccuracy: 1.2, pickupRate: 0.8 },
});

/**
 * Smoothing: each second a knob covers half the way to its target, but never more than a
 * fifth of its range, so a change is felt within a second or two and is never a jolt.
 */
export const KNOB_APPROACH = 0.5;
export const KNOB_MAX_STEP_PER_SECOND = 0.2;
/**
 * A knob that moved one way does not turn back within this time: noisy inputs could
 * otherwise make it see-saw every second. 5 s still lets a real change of play (which
 * the behavior profile takes ~3 s to show) reverse it within the 5 s players notice.
 */
export const KNOB_REVERSAL_HOLD_MS = 5000;
/** Moves smaller than this share of the range are not made (no patch churn for nothing). */
export const KNOB_DEAD_BAND = 0.005;

/** One room-second of director input, as recorded for the dry run. */
export interface DirectorSample {
  /** Sample time, ms since the epoch: the director's only clock. */
  t: number;
  room: InputValues;
  players: Array<{ playerId: string; mode: Mode; inputs: InputValues }>;
}

/** A decision before it is stored: what {@link DecisionRecord} holds, minus ids and room. */
export interface Decision {
  /** Null for a room-scope rule. */
  playerId: string | null;
  ruleId: string;
  kind: DecisionRecord['kind'];
  /** Every input the rule's condition reads (the stored trace). */
  inputs: InputValues;
  /** The inputs that decided it (see decidingInputs): what a player's or designer's "why" cites. */
  because: InputValues;
  changes: KnobChange[];
  recommendation?: { kind: RecommendAction['recommend']; value?: string; message: string };
}

export interface DirectorStep {
  decisions: Decision[];
  /** Current (smoothed) knobs of every player in the sample. */
  players: Map<string, PlayerKnobs>;
  room: RoomKnobs;
}

export interface CompiledRuleSet {
  version: number;
  rules: readonly ResolvedRule[];
}

interface KnobMotion {
  value: number;
  target: number;
  /** Direction of the last move: -1, 0 (never moved) or 1. */
  direction: number;
  /** When the direction last changed, ms. */
  turnedAt: number;
}

interface RuleState {
  /** The rule as it was last evaluated (kept to trace its deactivation if a new set drops it). */
  rule: ResolvedRule;
  active: boolean;
  /** Last activation time, ms (-Infinity: never). */
  activatedAt: number;
}

/** Knobs and rule states of one player or of the room. */
class Subject<K extends KnobName> {
  readonly knobs = new Map<K, KnobMotion>();
  readonly rules = new Map<string, RuleState>();

  constructor(baseline: Record<K, number>) {
    for (const [knob, value] of Object.entries(baseline) as Array<[K, number]>) {
      this.knobs.set(knob, { value, target: value, direction: 0, turnedAt: -Infinity });
    }
  }

  values(): Record<K, number> {
    const out = {} as Record<K, number>;
    for (const [k, m] of this.knobs) out[k] = m.value;
    return out;
  }

  activeRules(): string[] {
    return [...this.rules].filter(([, s]) => s.active).map(([id]) => id);
  }
}

const DEFAULTS = defaultKnobs();
const DEFAULT_MESSAGES: Record<RecommendAction['recommend'], string> = {
  mode: 'Try another mode',
  loadout: 'Try another loadout',
  room: 'A room with other players is open',
  break: 'Maybe take a short break?',
};

export function playerBaseline(mode: Mode): PlayerKnobs {
  const f = MODE_FACTORS[mode];
  const out = {} as PlayerKnobs;
  for (const k of PLAYER_KNOBS) out[k] = clamp(k, DEFAULTS[k] * f[k]);
  return out;
}

function roomBaseline(): RoomKnobs {
  const out = {} as RoomKnobs;
  for (const k of ROOM_KNOBS) out[k] = DEFAULTS[k];
  return out;
}

function clamp(knob: KnobName, v: number): number {
  const b = KNOB_BOUNDS[knob];
  return Math.min(b.max, Math.max(b.min, v));
}

export class Director {
  private ruleSet: CompiledRuleSet;
  private playerRules: ResolvedRule[] = [];
  private roomRules: ResolvedRule[] = [];
  private readonly players = new Map<string, Subject<PlayerKnobName>>();
  private readonly roomSubject = new Subject<RoomKnobName>(roomBaseline());
  private lastT = -Infinity;

  constructor(ruleSet: CompiledRuleSet) {
    this.ruleSet = ruleSet;
    this.setRules(ruleSet);
  }

  get version(): number {
    return this.ruleSet.version;
  }

  /** Swaps the rule set (hot reload). State of rules that keep their id carries over. */
  setRules(ruleSet: CompiledRuleSet): void {
    this.ruleSet = ruleSet;
    // Priority order, stable: the earlier rule wins a tie.
    const ordered = ruleSet.rules.filter((r) => r.enabled).map((r, i) => ({ r, i }))
      .sort((a, b) => b.r.priority - a.r.priority || a.i - b.i).map(({ r }) => r);
    this.playerRules = ordered.filter((r) => r.scope === 'player');
    this.roomRules = ordered.filter((r) => r.scope === 'room');
    // Rules the new set dropped (or disabled) let go on the next step, with a traced deactivation.
  }

  /** Rules active for a player (or the room, with null), highest priority first. */
  activeRules(playerId: string | null): string[] {
    const s = playerId === null ? this.roomSubject : this.players.get(playerId);
    const current = new Set((playerId === null ? this.roomRules : this.playerRules).map((r) => r.id));
    return s ? s.activeRules().filter((id) => current.has(id)) : [];
  }

  /** Where a player's knobs (or the room's, with null) are heading; null for an unknown player. */
  targets(playerId: string | null): Record<string, number> | null {
    const s = playerId === null ? this.roomSubject : this.players.get(playerId);
    if (!s) return null;
    const out: Record<string, number> = {};
    for (const [k, m] of s.knobs) out[k] = m.target;
    return out;
  }

  /**
   * Advances one step. Samples must come in time order; a sample not after the previous
   * one is ignored (and the current knobs returned).
   */
  step(sample: DirectorSample): DirectorStep {
    const decisions: Decision[] = [];
    const players = new Map<string, PlayerKnobs>();
    if (!(sample.t > this.lastT)) {
      for (const [id, s] of this.players) players.set(id, s.values());
      return { decisions, players, room: this.roomSubject.values() };
    }
    const dt = Number.isFinite(this.lastT) ? Math.min(5, (sample.t - this.lastT) / 1000) : 1;
    this.lastT = sample.t;

    const present = new Set<string>();
    for (const p of sample.players) {
      present.add(p.playerId);
      const baseline = playerBaseline(p.mode);
      let subject = this.players.get(p.playerId);
      if (!subject) {
        subject = new Subject<PlayerKnobName>(baseline);
        this.players.set(p.playerId, subject);
      }
      this.evaluate(subject, this.playerRules, p.inputs, baseline, sample.t, p.playerId, decisions);
      move(subject, sample.t, dt);
      players.set(p.playerId, subject.values());
    }
    for (const id of [...this.players.keys()]) if (!present.has(id)) this.players.delete(id);

    this.evaluate(this.roomSubject, this.roomRules, sample.room, roomBaseline(), sample.t, null, decisions);
    move(this.roomSubject, sample.t, dt);
    return { decisions, players, room: this.roomSubject.values() };
  }

  private evaluate<K extends KnobName>(
    subject: Subject<K>, rules: readonly ResolvedRule[], inputs: InputValues, baseline: Record<K, number>,
    t: number, playerId: string | null, decisions: Decision[],
  ): void {
    const activated: ResolvedRule[] = [];
    const deactivated: ResolvedRule[] = [];
    const current = new Set(rules.map((r) => r.id));
    for (const [id, state] of subject.rules) {
      if (current.has(id)) continue;
      if (state.active) deactivated.push(state.rule);
      subject.rules.delete(id);
    }
    for (const rule of rules) {
      let state = subject.rules.get(rule.id);
      if (!state) subject.rules.set(rule.id, (state = { rule, active: false, activatedAt: -Infinity }));
      state.rule = rule;
      const holds = evaluateCondition(rule.when, inputs);
      if (state.active && !holds && t - state.activatedAt >= rule.holdSeconds * 1000) {
        state.active = false;
        deactivated.push(rule);
      } else if (!state.active && holds && t - state.activatedAt >= rule.cooldownSeconds * 1000) {
        state.active = true;
        state.activatedAt = t;
        activated.push(rule);
      }
    }

    // Each knob: the highest-priority active rule acting on it decides (rules are in priority order).
    const targets = { ...baseline };
    const decidedBy = new Map<K, string>();
    for (const rule of rules) {
      if (!subject.rules.get(rule.id)?.active) continue;
      for (const action of rule.then) {
        if (!('knob' in action) || !subject.knobs.has(action.knob as K)) continue;
        const knob = action.knob as K;
        if (decidedBy.has(knob)) continue;
        decidedBy.set(knob, rule.id);
        const base = baseline[knob];
        const v = 'set' in action ? action.set : 'scale' in action ? base * action.scale : base + action.add;
        targets[knob] = clamp(knob, v);
      }
    }
    const changes = new Map<string, KnobChange[]>();
    for (const [knob, motion] of subject.knobs) {
      const to = targets[knob];
      if (to === motion.target) continue;
      // A change belongs to the rule now deciding the knob, or to the rule that let go of it.
      const owner = decidedBy.get(knob)
        ?? deactivated.find((r) => r.then.some((a) => 'knob' in a && a.knob === knob))?.id
        ?? activated.find((r) => r.then.some((a) => 'knob' in a && a.knob === knob))?.id;
      if (owner) {
        let list = changes.get(owner);
        if (!list) changes.set(owner, (list = []));
        list.push({ knob, from: round(motion.target), to: round(to) });
      }
      motion.target = to;
    }

    const values = (names: readonly InputName[]): InputValues => {
      const seen: InputValues = {};
      for (const name of names) {
        const v = inputs[name];
        if (v !== undefined) seen[name] = round(v);
      }
      return seen;
    };
    const traced = (rule: ResolvedRule) => ({
      inputs: values(conditionInputs(rule.when)), because: values(decidingInputs(rule.when, inputs)),
    });
    for (const rule of activated) {
      decisions.push({ playerId, ruleId: rule.id, kind: 'activate', ...traced(rule), changes: changes.get(rule.id) ?? [] });
      for (const action of rule.then) {
        if (!('recommend' in action)) continue;
        decisions.push({
          playerId, ruleId: rule.id, kind: 'recommend', ...traced(rule), changes: [],
          recommendation: {
            kind: action.recommend,
            ...('value' in action && { value: action.value }),
            message: action.message ?? DEFAULT_MESSAGES[action.recommend],
          },
        });
      }
    }
    for (const rule of deactivated) {
      decisions.push({ playerId, ruleId: rule.id, kind: 'deactivate', ...traced(rule), changes: changes.get(rule.id) ?? [] });
    }
  }
}

/** Moves every knob of a subject one step towards its target (see the constants above). */
function move<K extends KnobName>(subject: Subject<K>, t: number, dt: number): void {
  for (const [knob, m] of subject.knobs) {
    const b = KNOB_BOUNDS[knob];
    const range = b.max - b.min;
    const delta = m.target - m.value;
    if (Math.abs(delta) < KNOB_DEAD_BAND * range) continue;
    const direction = Math.sign(delta);
    if (direction !== m.direction) {
      if (m.direction !== 0 && t - m.turnedAt < KNOB_REVERSAL_HOLD_MS) continue;
      m.direction = direction;
      m.turnedAt = t;
    }
    const limit = KNOB_MAX_STEP_PER_SECOND * range * dt;
    const stepSize = Math.max(-limit, Math.min(limit, delta * Math.min(1, KNOB_APPROACH * dt)));
    m.value = clamp(knob, m.value + stepSize);
  }
}

/** Director figures (inputs in traces and samples, knob targets) are kept to 3 decimals. */
export const round = (v: number): number => Math.round(v * 1000) / 1000;

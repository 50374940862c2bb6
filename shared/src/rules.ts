/**
 * The designers' rule language: a declarative JSON rule set the director evaluates every
 * second, for every player (scope "player") and every room (scope "room"). A rule has a
 * condition over the director's inputs (model outputs and game stats) and actions on
 * difficulty knobs and recommendations. Shared so the designer console validates with the
 * very code the server uses before it stores a version.
 *
 * Semantics (server/src/director/director.ts implements them):
 * - A rule *activates* when its condition becomes true and its cooldown since the last
 *   activation has passed; it stays active while the condition holds, and at least its
 *   hold time. Activation emits its recommendations once.
 * - Each knob's target is decided by the highest-priority active rule acting on it (ties:
 *   the earlier rule); knobs no rule acts on go back to the player's mode baseline.
 * - Knobs move towards their targets smoothly and never leave {@link KNOB_BOUNDS}.
 */
import { KNOB_BOUNDS, KNOB_NAMES, type KnobName } from './difficulty.js';
import { LOADOUTS, type Loadout } from './loadouts.js';

export type { Loadout } from './loadouts.js';

// ───────────────────────────── inputs ─────────────────────────────

/** Play styles of the behavior model, in its output order. */
export const STYLE_NAMES = ['aggressive', 'evasive', 'collector', 'novice', 'idle', 'inhuman'] as const;
export type StyleName = (typeof STYLE_NAMES)[number];

/**
 * Everything a player-scope rule can test, with what it means. A missing input (no model
 * read yet, no shot fired yet) makes any comparison on it false.
 */
export const PLAYER_INPUTS = {
  ...Object.fromEntries(STYLE_NAMES.map((s) => [`style.${s}`, `behavior model: smoothed probability of "${s}" play, 0–1`])) as
    Record<`style.${StyleName}`, string>,
  'chat.sentiment': 'chat model: trend of the player\'s chat sentiment, −1 (negative) to 1 (positive)',
  'chat.toxicity': 'chat model: trend of the player\'s chat toxicity, 0–1',
  'chat.messagesPerMin': 'chat messages the player sent in the last minute',
  'stats.damageTakenPerMin': 'damage taken in the last minute, HP',
  'stats.killsPerMin': 'kills in the last minute',
  'stats.deathsPerMin': 'deaths in the last minute',
  'stats.accuracy': 'hits per shot over the last minute, 0–1 (missing until a shot is fired)',
  'stats.secondsSinceDeath': 'seconds since the last death (or since joining)',
  'stats.secondsPlayed': 'seconds since joining the match',
  'stats.hp': 'current health, 0–100',
  'stats.intensity': 'how hard the last moments were for the player, 0–1 (rises with damage, decays when safe)',
  'room.players': 'players in the room',
  'room.wave': 'current wave number',
} as const;

/** Everything a room-scope rule can test. */
export const ROOM_INPUTS = {
  'room.players': 'players in the room',
  'room.wave': 'current wave number',
  'room.intensity': 'mean intensity of the room\'s players, 0–1',
  'room.peakIntensity': 'highest room intensity since the current (or last) wave began, 0–1',
  'room.struggling': 'share of players with intensity ≥ 0.6, 0–1',
} as const;

export type PlayerInputName = keyof typeof PLAYER_INPUTS;
export type RoomInputName = keyof typeof ROOM_INPUTS;
export type InputName = PlayerInputName | RoomInputName;
/** One step's inputs for one player or room; a missing key is an unknown value. */
export type InputValues = Partial<Record<InputName, number>>;

/** Knobs that act per player (enemies targeting them, their pickups) and per room (pacing). */
export const PLAYER_KNOBS = ['enemySpeed', 'enemyDamage', 'enemyAccuracy', 'pickupRate'] as const satisfies readonly KnobName[];
export const ROOM_KNOBS = ['spawnRate', 'waveSize', 'relaxSeconds'] as const satisfies readonly KnobName[];

// ───────────────────────────── recommendations ─────────────────────────────

export const MODES = ['casual', 'standard', 'hardcore'] as const;
export type Mode = (typeof MODES)[number];
export const RECOMMENDATION_KINDS = ['mode', 'loadout', 'room', 'break'] as const;
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number];

// ───────────────────────────── rules ─────────────────────────────

export const COMPARISON_OPS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { input: InputName; op: ComparisonOp; value: number };

/** Exactly one of `set` (absolute value), `scale` (× the baseline) or `add` (+ the baseline). */
export type KnobAction = { knob: KnobName } & ({ set: number } | { scale: number } | { add: number });

export type RecommendAction =
  | { recommend: 'mode'; value: Mode; message?: string }
  | { recommend: 'loadout'; value: Loadout; message?: string }
  | { recommend: 'room'; message?: string }
  | { recommend: 'break'; message?: string };

export type Action = KnobAction | RecommendAction;

export interface Rule {
  /** Stable id, shown in every trace: lowercase letters, digits and dashes. */
  id: string;
  description?: string;
  /** Off rules are kept in the set but never evaluated. Default true. */
  enabled?: boolean;
  /** Higher wins when two active rules act on the same knob. Integer 0–1000, default 0. */
  priority?: number;
  /** Minimum seconds between two activations of the rule for the same player/room. Default 30. */
  cooldownSeconds?: number;
  /**
   * Once active, the rule stays active at least this long even if its condition stops
   * holding (hysteresis against model reads that hover around a threshold). Default 10.
   */
  holdSeconds?: number;
  /** "player" (default): evaluated per player; "room": once per room, on pacing knobs. */
  scope?: 'player' | 'room';
  when: Condition;
  then: Action[];
}

export interface RuleSet {
  name: string;
  description?: string;
  rules: Rule[];
}

/** A rule with every default filled in, as the director uses it. */
export interface ResolvedRule extends Required<Omit<Rule, 'description'>> {
  description: string;
}

export const RULE_LIMITS = {
  rules: 100, actions: 8, conditionDepth: 6, conditionNodes: 64, message: 140, id: 48, name: 80, description: 500,
} as const;
const RULE_ID = /^[a-z0-9][a-z0-9-]*$/;

export interface RuleError {
  /** Where, e.g. `rules[2].when.all[0].input`. */
  path: string;
  message: string;
}

export type RuleSetParse = { ok: true; ruleSet: RuleSet; rules: ResolvedRule[] } | { ok: false; errors: RuleError[] };

/**
 * Validates an untrusted rule set (parsed JSON) and resolves its defaults. Collects every
 * error (with its path) rather than stopping at the first, so the console can show them all.
 */
export function parseRuleSet(raw: unknown): RuleSetParse {
  const errors: RuleError[] = [];
  const err = (path: string, message: string) => { if (errors.length < 200) errors.push({ path, message }); };
  if (!isPlainObject(raw)) return { ok: false, errors: [{ path: '', message: 'must be an object {name, rules}' }] };
  unknownKeys(raw, ['name', 'description', 'rules'], '', err);
  const name = text(raw.name, 'name', RULE_LIMITS.name, true, err);
  const description = text(raw.description, 'description', RULE_LIMITS.description, false, err);
  const rules: ResolvedRule[] = [];
  if (!Array.isArray(raw.rules)) err('rules', 'must be an array of rules');
  else if (raw.rules.length > RULE_LIMITS.rules) err('rules', `at most ${RULE_LIMITS.rules} rules`);
  else {
    const seen = new Map<string, number>();
    raw.rules.forEach((r, i) => {
      const rule = parseRule(r, `rules[${i}]`, err);
      if (!rule) return;
      const first = seen.get(rule.id);
      if (first !== undefined) err(`rules[${i}].id`, `duplicate id "${rule.id}" (also rules[${first}])`);
      else seen.set(rule.id, i);
      rules.push(rule);
    });
  }
  if (errors.length) return { ok: false, errors };
  const ruleSet: RuleSet = {
    name: name!, ...(description !== undefined && { description }),
    rules: rules.map(({ description: d, ...r }) => ({ ...r, ...(d && { description: d }) })),
  };
  return { ok: true, ruleSet, rules };
}

type ErrorSink = (path: string, message: string) => void;

function parseRule(raw: unknown, path: string, err: ErrorSink): ResolvedRule | null {
  if (!isPlainObject(raw)) { err(path, 'must be an object {id, when, then}'); return null; }
  // A rule with any error is dropped whole (its errors are all reported).
  let bad = 0;
  const sink: ErrorSink = (p, m) => { bad++; err(p, m); };
  unknownKeys(raw, ['id', 'description', 'enabled', 'priority', 'cooldownSeconds', 'holdSeconds', 'scope', 'when', 'then'], path, sink);
  const id = text(raw.id, `${path}.id`, RULE_LIMITS.id, true, sink);
  if (id !== undefined && !RULE_ID.test(id)) sink(`${path}.id`, 'lowercase letters, digits and dashes only, starting with a letter or digit');
  const description = text(raw.description, `${path}.description`, RULE_LIMITS.description, false, sink) ?? '';
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean') sink(`${path}.enabled`, 'must be true or false');
  const priority = integer(raw.priority, `${path}.priority`, 0, 1000, 0, sink);
  const cooldownSeconds = num(raw.cooldownSeconds, `${path}.cooldownSeconds`, 0, 3600, 30, sink) ?? 30;
  const holdSeconds = num(raw.holdSeconds, `${path}.holdSeconds`, 0, 3600, 10, sink) ?? 10;
  const scope = raw.scope ?? 'player';
  if (scope !== 'player' && scope !== 'room') sink(`${path}.scope`, 'must be "player" or "room"');
  const roomScope = scope === 'room';
  const when = raw.when === undefined
    ? (sink(`${path}.when`, 'required: the condition under which the rule applies'), null)
    : parseCondition(raw.when, `${path}.when`, roomScope, 1, { nodes: 0 }, sink);
  const then: Action[] = [];
  if (!Array.isArray(raw.then) || raw.then.length === 0) sink(`${path}.then`, 'must be a non-empty array of actions');
  else if (raw.then.length > RULE_LIMITS.actions) sink(`${path}.then`, `at most ${RULE_LIMITS.actions} actions`);
  else {
    const knobs = new Set<string>();
    raw.then.forEach((a, i) => {
      const action = parseAction(a, `${path}.then[${i}]`, roomScope, sink);
      if (!action) return;
      if ('knob' in action) {
        if (knobs.has(action.knob)) sink(`${path}.then[${i}].knob`, `"${action.knob}" is already set by this rule`);
        knobs.add(action.knob);
      }
      then.push(action);
    });
  }
  if (bad || !id || !when) return null;
  return {
    id, description, enabled: raw.enabled !== false, priority, cooldownSeconds, holdSeconds,
    scope: roomScope ? 'room' : 'player', when, then,
  };
}

function parseCondition(
  raw: unknown, path: string, roomScope: boolean, depth: number, budget: { nodes: number }, err: ErrorSink,
): Condition | null {
  if (++budget.nodes > RULE_LIMITS.conditionNodes) {
    if (budget.nodes === RULE_LIMITS.conditionNodes + 1) err(path, `a condition may have at most ${RULE_LIMITS.conditionNodes} parts`);
    return null;
  }
  if (depth > RULE_LIMITS.conditionDepth) { err(path, `nested deeper than ${RULE_LIMITS.conditionDepth} levels`); return null; }
  if (!isPlainObject(raw)) { err(path, 'must be an object: {all:[…]}, {any:[…]}, {not:…} or {input, op, value}'); return null; }
  for (const group of ['all', 'any'] as const) {
    if (group in raw) {
      unknownKeys(raw, [group], path, err);
      const list = raw[group];
      if (!Array.isArray(list) || list.length === 0) { err(`${path}.${group}`, 'must be a non-empty array of conditions'); return null; }
      const parts = list.map((c, i) => parseCondition(c, `${path}.${group}[${i}]`, roomScope, depth + 1, budget, err));
      return parts.every((c): c is Condition => c !== null) ? (group === 'all' ? { all: parts } : { any: parts }) : null;
    }
  }
  if ('not' in raw) {
    unknownKeys(raw, ['not'], path, err);
    const inner = parseCondition(raw.not, `${path}.not`, roomScope, depth + 1, budget, err);
    return inner ? { not: inner } : null;
  }
  unknownKeys(raw, ['input', 'op', 'value'], path, err);
  const inputs: Record<string, string> = roomScope ? ROOM_INPUTS : PLAYER_INPUTS;
  let ok = true;
  if (typeof raw.input !== 'string' || !Object.prototype.hasOwnProperty.call(inputs, raw.input)) {
    const given = typeof raw.input === 'string' ? `"${raw.input.slice(0, 40)}"` : 'missing';
    err(`${path}.input`, `${given} is not a ${roomScope ? 'room' : 'player'} input; one of ${Object.keys(inputs).join(', ')}`);
    ok = false;
  }
  if (typeof raw.op !== 'string' || !(COMPARISON_OPS as readonly string[]).includes(raw.op)) {
    err(`${path}.op`, `must be one of ${COMPARISON_OPS.join(' ')}`);
    ok = false;
  }
  if (typeof raw.value !== 'number' || !Number.isFinite(raw.value)) { err(`${path}.value`, 'must be a finite number'); ok = false; }
  return ok ? { input: raw.input as InputName, op: raw.op as ComparisonOp, value: raw.value as number } : null;
}

function parseAction(raw: unknown, path: string, roomScope: boolean, err: ErrorSink): Action | null {
  if (!isPlainObject(raw)) { err(path, 'must be an object: {knob, set|scale|add} or {recommend, …}'); return null; }
  if ('knob' in raw) {
    unknownKeys(raw, ['knob', 'set', 'scale', 'add'], path, err);
    const allowed: readonly string[] = roomScope ? ROOM_KNOBS : PLAYER_KNOBS;
    const knob = raw.knob;
    if (typeof knob !== 'string' || !(KNOB_NAMES as readonly string[]).includes(knob)) {
      err(`${path}.knob`, `${typeof knob === 'string' ? `"${knob.slice(0, 40)}"` : 'missing'} is not a knob; one of ${KNOB_NAMES.join(', ')}`);
      return null;
    }
    if (!allowed.includes(knob)) {
      err(`${path}.knob`, `"${knob}" is a ${roomScope ? 'player' : 'room'} knob; ${roomScope ? 'room' : 'player'} rules act on ${allowed.join(', ')}`);
      return null;
    }
    const ops = (['set', 'scale', 'add'] as const).filter((k) => k in raw);
    if (ops.length !== 1) { err(path, 'needs exactly one of set, scale, add'); return null; }
    const op = ops[0]!;
    const b = KNOB_BOUNDS[knob as KnobName];
    const range = b.max - b.min;
    const [min, max] = op === 'set' ? [b.min, b.max] : op === 'scale' ? [0, 10] : [-range, range];
    const value = num(raw[op], `${path}.${op}`, min, max, undefined, err);
    if (value === undefined) return null;
    return { knob: knob as KnobName, [op]: value } as KnobAction;
  }
  if ('recommend' in raw) {
    if (roomScope) { err(`${path}.recommend`, 'room rules cannot recommend: recommendations are made to players'); return null; }
    const kind = raw.recommend;
    if (typeof kind !== 'string' || !(RECOMMENDATION_KINDS as readonly string[]).includes(kind)) {
      err(`${path}.recommend`, `must be one of ${RECOMMENDATION_KINDS.join(', ')}`);
      return null;
    }
    const withValue = kind === 'mode' || kind === 'loadout';
    unknownKeys(raw, withValue ? ['recommend', 'value', 'message'] : ['recommend', 'message'], path, err);
    const message = text(raw.message, `${path}.message`, RULE_LIMITS.message, false, err);
    const choices: readonly string[] = kind === 'mode' ? MODES : LOADOUTS;
    if (withValue && (typeof raw.value !== 'string' || !choices.includes(raw.value))) {
      err(`${path}.value`, `must be one of ${choices.join(', ')}`);
      return null;
    }
    return { recommend: kind, ...(withValue && { value: raw.value }), ...(message !== undefined && { message }) } as RecommendAction;
  }
  err(path, 'an action needs "knob" or "recommend"');
  return null;
}

// ───────────────────────────── evaluation helpers ─────────────────────────────

/** Evaluates a condition; comparisons on missing inputs are false (so `not` of one is true). */
export function evaluateCondition(c: Condition, inputs: InputValues): boolean {
  if ('all' in c) return c.all.every((p) => evaluateCondition(p, inputs));
  if ('any' in c) return c.any.some((p) => evaluateCondition(p, inputs));
  if ('not' in c) return !evaluateCondition(c.not, inputs);
  const v = inputs[c.input];
  if (v === undefined) return false;
  switch (c.op) {
    case '<': return v < c.value;
    case '<=': return v <= c.value;
    case '>': return v > c.value;
    case '>=': return v >= c.value;
    case '==': return v === c.value;
    case '!=': return v !== c.value;
  }
}

/**
 * The inputs that decided a condition's outcome on `inputs`, in order of first use: what
 * a "why" cites. A condition that holds is explained by the comparisons that made it hold
 * (every part of an `all`, the first part of an `any` that holds); one that fails, by those
 * that made it fail (the first failing part of an `all`, every part of an `any`).
 */
export function decidingInputs(c: Condition, inputs: InputValues, into: InputName[] = []): InputName[] {
  const holds = evaluateCondition(c, inputs);
  if ('all' in c || 'any' in c) {
    const parts = 'all' in c ? c.all : c.any;
    // The parts that hold an `all` / break an `any` all count; otherwise the first decisive one.
    const every = ('all' in c) === holds;
    for (const p of parts) {
      if (every) decidingInputs(p, inputs, into);
      else if (evaluateCondition(p, inputs) === holds) return decidingInputs(p, inputs, into);
    }
  } else if ('not' in c) decidingInputs(c.not, inputs, into);
  else if (!into.includes(c.input)) into.push(c.input);
  return into;
}

/** Input names a condition reads, in order of first use (what a trace shows). */
export function conditionInputs(c: Condition, into: InputName[] = []): InputName[] {
  if ('all' in c) c.all.forEach((p) => conditionInputs(p, into));
  else if ('any' in c) c.any.forEach((p) => conditionInputs(p, into));
  else if ('not' in c) conditionInputs(c.not, into);
  else if (!into.includes(c.input)) into.push(c.input);
  return into;
}

// ───────────────────────────── small validators ─────────────────────────────

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function unknownKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string, err: ErrorSink): void {
  let n = 0;
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    err(path ? `${path}.${key.slice(0, 40)}` : key.slice(0, 40), `unknown field; allowed: ${allowed.join(', ')}`);
    if (++n >= 5) return;
  }
}

function text(v: unknown, path: string, max: number, required: boolean, err: ErrorSink): string | undefined {
  if (v === undefined) { if (required) err(path, 'required'); return undefined; }
  if (typeof v !== 'string') { err(path, 'must be a string'); return undefined; }
  const t = v.trim();
  if (required && t.length === 0) { err(path, 'must not be empty'); return undefined; }
  if (t.length > max) { err(path, `at most ${max} characters`); return undefined; }
  return t;
}

function num(v: unknown, path: string, min: number, max: number, dflt: number | undefined, err: ErrorSink): number | undefined {
  if (v === undefined) {
    if (dflt === undefined) err(path, 'required');
    return dflt;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) { err(path, 'must be a finite number'); return dflt; }
  if (v < min || v > max) { err(path, `must be between ${min} and ${max}`); return dflt; }
  return v;
}

function integer(v: unknown, path: string, min: number, max: number, dflt: number, err: ErrorSink): number {
  const n = num(v, path, min, max, dflt, err);
  if (n !== undefined && !Number.isInteger(n)) { err(path, 'must be an integer'); return dflt; }
  return n ?? dflt;
}

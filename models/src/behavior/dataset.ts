/**
 * Labelled training data for the behavior model: headless episodes of the real shared
 * simulation with 1–4 scripted bots per world, recorded exactly as the server records
 * live players — `stepWorld`, then `FrameRing.record(world, player, input ?? idleInput)`
 * — and cut exactly as the inference host reads them: `FrameRing.latest(FRAME_WINDOW)`.
 *
 * Episodes vary what real rooms vary: the world seed, the number of players and when
 * they join, the room's and each player's difficulty knobs (within their bounds, changed
 * mid-episode as the director would), dropped input packets, and the players themselves:
 * each has a main style with a freshly drawn skill, and some switch style for a while
 * (go AFK, start rushing, switch an aimbot on or off) as people do.
 *
 * Seeds are split: training, validation and held-out episodes come from disjoint seed
 * ranges, so evaluation only ever sees worlds and bots that training never saw.
 */
import {
  addPlayer, clampKnobs, createWorld, defaultKnobs, FRAME_FEATURES, FRAME_RING_CAPACITY, FRAME_WINDOW,
  FrameRing, idleInput, KNOB_BOUNDS, KNOB_NAMES, stepWorld, type DifficultyKnobs, type PlayerInput,
} from '@pulse-arena/shared';
import { createRng, hashSeed, type Rng } from '../runtime/rng.js';
import { BotPlayer } from './bots.js';
import { BEHAVIOR_CLASSES, classIndex, type BehaviorStyle } from './classes.js';
import { aliveFraction, MIN_ALIVE_FRACTION } from './windows.js';

export { aliveFraction, enemyPresentFraction, MIN_ALIVE_FRACTION } from './windows.js';

/** Which seed range an episode comes from. */
export type Split = 'train' | 'validation' | 'heldout';

/**
 * First world seed of each split. Episode i of a split uses seed base + i; the ranges
 * never overlap for fewer than {@link MAX_EPISODES_PER_SPLIT} episodes.
 */
export const SPLIT_SEED_BASE: Readonly<Record<Split, number>> = {
  train: 1_000_000,
  validation: 2_000_000,
  heldout: 3_000_000,
};
export const MAX_EPISODES_PER_SPLIT = 1_000_000;

/** The server's ring size, so windows are read exactly as in live play. */
const RING_CAPACITY = FRAME_RING_CAPACITY;

/** World seed of episode `index` in `split`. @throws RangeError outside the split's range. */
export function episodeSeed(split: Split, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_EPISODES_PER_SPLIT) {
    throw new RangeError(`episode index must be an integer in [0, ${MAX_EPISODES_PER_SPLIT}), got ${index}`);
  }
  return SPLIT_SEED_BASE[split] + index;
}

/** Labelled windows, packed for tensors. */
export interface WindowSet {
  /** count × FRAME_WINDOW × FRAME_FEATURES, row-major. */
  x: Float32Array;
  /** Class index (into BEHAVIOR_CLASSES) of the style behind most of each window. */
  y: Uint8Array;
  /** Share of the window's ticks produced by that style (1 = no style switch inside). */
  purity: Float32Array;
  /** World seed each window came from. */
  seed: Uint32Array;
  count: number;
}

export interface EpisodeOptions {
  /** Ticks to simulate (20 per second). Default: drawn in [1200, 2400]. */
  ticks?: number;
  /** Players in the world, 1–4. Default: drawn. */
  players?: number;
  /** Main style of each player (length = players). Default: drawn. */
  styles?: readonly BehaviorStyle[];
  /** Let players switch style for a while (default true). */
  switches?: boolean;
  /** Read a window every `stride` ticks per player (default 16). */
  stride?: number;
}

/** One recorded episode: every kept window of every player. */
export interface EpisodeWindows {
  seed: number;
  windows: Float32Array[];
  labels: BehaviorStyle[];
  purity: number[];
  /** Per player: main style, and the number of ticks each style played. */
  players: Array<{ style: BehaviorStyle; ticksByStyle: Partial<Record<BehaviorStyle, number>> }>;
}

/** Knobs as a director could set them: often near the default, sometimes anywhere in bounds. */
export function drawKnobs(rng: Rng): DifficultyKnobs {
  const knobs = defaultKnobs();
  for (const name of KNOB_NAMES) {
    const b = KNOB_BOUNDS[name];
    const r = rng.next();
    if (r < 0.3) continue;
    knobs[name] = r < 0.7
      ? b.default * rng.range(0.6, 1.5)
      : rng.range(b.min, b.max);
  }
  return clampKnobs(knobs);
}

/** What a player plays during part of an episode; 'aimbot-off' = an inhuman bot's human movement style alone. */
type ScheduledStyle = BehaviorStyle | 'aimbot-off';

interface Segment {
  from: number;
  to: number;
  style: ScheduledStyle;
}

/** The detours from its main style a player takes in an episode (none for 65 % of players). */
function drawSchedule(rng: Rng, main: BehaviorStyle, ticks: number, switches: boolean): Segment[] {
  const segments: Segment[] = [];
  if (!switches || !rng.chance(0.35)) return segments;
  const n = 1 + rng.int(2);
  for (let i = 0; i < n; i++) {
    const len = Math.round(rng.range(200, 600));
    const from = rng.int(Math.max(1, ticks - len));
    // An aimbot user switches the cheat off; anyone else detours into any other style.
    const style: ScheduledStyle = main === 'inhuman' ? 'aimbot-off' : rng.pick(BEHAVIOR_CLASSES.filter((s) => s !== main));
    segments.push({ from, to: from + len, style });
  }
  return segments;
}

function styleAt(main: BehaviorStyle, segments: readonly Segment[], tick: number): ScheduledStyle {
  for (const s of segments) if (tick >= s.from && tick < s.to) return s.style;
  return main;
}

const PLAYER_COUNT_WEIGHTS = [0.2, 0.3, 0.25, 0.25];

/**
 * Simulates one episode and returns its labelled windows.
 * @throws RangeError for out-of-range options.
 */
export function runEpisode(seed: number, options: EpisodeOptions = {}): EpisodeWindows {
  const rng = createRng(hashSeed('behavior-episode', seed));
  let players = options.players;
  if (players === undefined) {
    const r = rng.next();
    let acc = 0;
    players = 4;
    for (let i = 0; i < PLAYER_COUNT_WEIGHTS.length; i++) {
      acc += PLAYER_COUNT_WEIGHTS[i]!;
      if (r < acc) { players = i + 1; break; }
    }
  }
  if (!Number.isInteger(players) || players < 1 || players > 4) throw new RangeError(`players must be 1–4, got ${players}`);
  const ticks = options.ticks ?? Math.round(rng.range(1200, 2400));
  if (!Number.isInteger(ticks) || ticks < FRAME_WINDOW) throw new RangeError(`ticks must be an integer ≥ ${FRAME_WINDOW}, got ${ticks}`);
  const stride = options.stride ?? 16;
  if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`stride must be a positive integer, got ${stride}`);
  const styles = options.styles ?? Array.from({ length: players }, () => rng.pick(BEHAVIOR_CLASSES));
  if (styles.length !== players) throw new RangeError(`styles has ${styles.length} entries for ${players} players`);

  const world = createWorld(seed, drawKnobs(rng));
  const dropRate = rng.chance(0.5) ? 0 : rng.range(0, 0.03);
  const out: EpisodeWindows = { seed, windows: [], labels: [], purity: [], players: [] };

  interface Seat {
    id: string;
    joinTick: number;
    main: BehaviorStyle;
    schedule: Segment[];
    bot: BotPlayer;
    ring: FrameRing;
    labels: BehaviorStyle[];
    phase: number;
    ticksByStyle: Partial<Record<BehaviorStyle, number>>;
  }
  const seats: Seat[] = styles.map((main, i) => ({
    id: `bot${i}`,
    joinTick: i === 0 ? 0 : rng.int(300),
    main,
    schedule: drawSchedule(rng, main, ticks, options.switches ?? true),
    bot: new BotPlayer(main, rng.fork(`bot-${i}`)),
    ring: new FrameRing(RING_CAPACITY),
    labels: [],
    phase: rng.int(stride),
    ticksByStyle: {},
  }));

  const inputs = new Map<string, PlayerInput>();
  for (let tick = 0; tick < ticks; tick++) {
    for (const seat of seats) {
      if (seat.joinTick === tick) {
        const p = addPlayer(world, seat.id, seat.id);
        p.knobs = clampKnobs({ ...world.knobs, ...(rng.chance(0.5) ? drawKnobs(rng) : {}) });
      }
    }
    // The director nudges a knob now and then.
    if (tick > 0 && tick % 200 === 0 && rng.chance(0.3)) {
      const name = rng.pick(KNOB_NAMES);
      const b = KNOB_BOUNDS[name];
      const target = rng.chance(0.5) ? world : world.players.get(rng.pick(seats).id);
      if (target) target.knobs = clampKnobs({ ...target.knobs, [name]: target.knobs[name] + (b.max - b.min) * rng.range(-0.15, 0.15) });
    }
    inputs.clear();
    for (const seat of seats) {
      const p = world.players.get(seat.id);
      if (!p) continue;
      const scheduled = styleAt(seat.main, seat.schedule, tick);
      const want = scheduled === 'aimbot-off' ? seat.bot.movement : scheduled;
      if (seat.bot.style !== want) seat.bot.switchStyle(want);
      const input = seat.bot.act(world, p);
      // A lost or late packet: the server applies (and records) its idle input instead.
      if (!rng.chance(dropRate)) inputs.set(seat.id, input);
    }
    stepWorld(world, inputs);
    for (const seat of seats) {
      const p = world.players.get(seat.id);
      if (!p) continue;
      // Exactly the server's recording call (ArenaRoom.tick).
      seat.ring.record(world, p, inputs.get(seat.id) ?? idleInput(p.aim, p.lastSeq));
      const label = seat.bot.label;
      seat.labels.push(label);
      seat.ticksByStyle[label] = (seat.ticksByStyle[label] ?? 0) + 1;
      if ((seat.labels.length - seat.phase) % stride !== 0 || seat.ring.size < FRAME_WINDOW) continue;
      const window = seat.ring.latest(FRAME_WINDOW);
      if (!window || aliveFraction(window) < MIN_ALIVE_FRACTION) continue;
      const { style, share } = majority(seat.labels, FRAME_WINDOW);
      out.windows.push(window);
      out.labels.push(style);
      out.purity.push(share);
    }
  }
  for (const seat of seats) out.players.push({ style: seat.main, ticksByStyle: seat.ticksByStyle });
  return out;
}

/** The most frequent label among the last `n` (ties go to the most recent one). */
function majority(labels: readonly BehaviorStyle[], n: number): { style: BehaviorStyle; share: number } {
  const counts = new Map<BehaviorStyle, number>();
  let best: BehaviorStyle = labels[labels.length - 1]!;
  let bestCount = 0;
  for (let i = labels.length - 1; i >= Math.max(0, labels.length - n); i--) {
    const s = labels[i]!;
    const c = (counts.get(s) ?? 0) + 1;
    counts.set(s, c);
    if (c > bestCount) { bestCount = c; best = s; }
  }
  return { style: best, share: bestCount / Math.min(n, labels.length) };
}

export interface DatasetOptions {
  split: Split;
  /** Number of episodes (worlds). */
  episodes: number;
  /** First episode index within the split (default 0). */
  firstEpisode?: number;
  /** Window stride in ticks (default 16). */
  stride?: number;
  /** Called after each episode, e.g. to drive a progress bar. */
  onEpisode?: (done: number, total: number) => void;
}

/**
 * Generates `episodes` episodes of `split`, with main styles dealt from a shuffled deck
 * so every style is the main style of (almost) the same number of players.
 * @throws RangeError if episodes is not a positive integer.
 */
export function generateWindows(options: DatasetOptions): WindowSet {
  const { split, episodes } = options;
  if (!Number.isInteger(episodes) || episodes <= 0) throw new RangeError(`episodes must be a positive integer, got ${episodes}`);
  const first = options.firstEpisode ?? 0;
  const deckRng = createRng(hashSeed('behavior-deck', split, first));
  let deck: BehaviorStyle[] = [];
  const draw = (): BehaviorStyle => {
    if (deck.length === 0) deck = deckRng.shuffle([...BEHAVIOR_CLASSES]);
    return deck.pop()!;
  };
  const parts: EpisodeWindows[] = [];
  let count = 0;
  for (let i = 0; i < episodes; i++) {
    const seed = episodeSeed(split, first + i);
    const players = 1 + createRng(hashSeed('behavior-players', seed)).int(4);
    const styles = Array.from({ length: players }, draw);
    const ep = runEpisode(seed, { players, styles, ...(options.stride ? { stride: options.stride } : {}) });
    parts.push(ep);
    count += ep.windows.length;
    options.onEpisode?.(i + 1, episodes);
  }
  const frame = FRAME_WINDOW * FRAME_FEATURES;
  const set: WindowSet = {
    x: new Float32Array(count * frame), y: new Uint8Array(count), purity: new Float32Array(count),
    seed: new Uint32Array(count), count,
  };
  let k = 0;
  for (const ep of parts) {
    for (let j = 0; j < ep.windows.length; j++, k++) {
      set.x.set(ep.windows[j]!, k * frame);
      set.y[k] = classIndex(ep.labels[j]!);
      set.purity[k] = ep.purity[j]!;
      set.seed[k] = ep.seed;
    }
  }
  return set;
}

/** Number of windows of each class, in BEHAVIOR_CLASSES order. */
export function classCounts(set: WindowSet): number[] {
  const counts = BEHAVIOR_CLASSES.map(() => 0);
  for (let i = 0; i < set.count; i++) counts[set.y[i]!]!++;
  return counts;
}

import { describe, expect, it } from 'vitest';
import {
  ARENA_HEIGHT, ARENA_WIDTH, FRAME_FEATURES, FRAME_FEATURE_NAMES, FrameRing, KNOB_BOUNDS, KNOB_NAMES,
  TICK_RATE, addPlayer, clampKnobs, createWorld, defaultKnobs, difficultyIndex, encodeInputFrame,
  nextRandom, stepPlayerMovement, stepWorld, type DifficultyKnobs, type KnobName, type PlayerInput, type SimWorld,
} from '@pulse-arena/shared';

/** A scripted player: circles, fires, dashes now and then. */
function scriptedInputs(world: SimWorld, seqBase: number): Map<string, PlayerInput> {
  const inputs = new Map<string, PlayerInput>();
  let i = 0;
  for (const p of world.players.values()) {
    const t = world.tick + i * 17;
    inputs.set(p.id, {
      seq: seqBase + world.tick, moveX: Math.cos(t / 15), moveY: Math.sin(t / 11), aim: (t / 7) % 6,
      fire: t % 3 === 0, dash: t % 40 === 0,
    });
    i++;
  }
  return inputs;
}

function play(seed: number, ticks: number): SimWorld {
  const w = createWorld(seed);
  addPlayer(w, 'a', 'Ada');
  addPlayer(w, 'b', 'Bob');
  for (let i = 0; i < ticks; i++) stepWorld(w, scriptedInputs(w, 1));
  return w;
}

describe('shared simulation', () => {
  it('is deterministic: same seed and inputs give the same world', () => {
    const a = play(42, 1200);
    const b = play(42, 1200);
    expect(JSON.stringify([...a.players.values()])).toBe(JSON.stringify([...b.players.values()]));
    expect(a.enemies).toEqual(b.enemies);
    expect(a.wave).toBeGreaterThanOrEqual(1); // waves actually ran
    expect(a.enemies.length + a.players.get('a')!.kills).toBeGreaterThan(0);
    expect(a.rng).toBe(b.rng);
    expect(play(43, 1200).rng).not.toBe(a.rng);
  });

  it('plays a real game: enemies spawn, get shot, players take damage and score', () => {
    const w = play(7, 60 * TICK_RATE);
    const players = [...w.players.values()];
    expect(players.some((p) => p.kills > 0)).toBe(true);
    expect(players.some((p) => p.stats.damageTaken > 0)).toBe(true);
    expect(players.every((p) => p.stats.shotsFired > 0)).toBe(true);
    for (const p of players) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(ARENA_WIDTH);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(ARENA_HEIGHT);
    }
  });

  it('client prediction replays to exactly the server position', () => {
    const w = createWorld(1);
    const server = addPlayer(w, 'a', 'Ada');
    const predicted = { ...server };
    const inputs: PlayerInput[] = [];
    for (let seq = 1; seq <= 50; seq++) {
      inputs.push({ seq, moveX: seq % 10 < 5 ? 1 : -0.5, moveY: seq % 7 < 3 ? 1 : 0, aim: 0, fire: false, dash: seq % 20 === 0 });
    }
    for (const input of inputs) {
      stepWorld(w, new Map([['a', input]]));
      stepPlayerMovement(predicted, input);
    }
    expect(predicted.x).toBe(server.x);
    expect(predicted.y).toBe(server.y);
    expect(predicted.dashCooldown).toBe(server.dashCooldown);
  });

  it('diagonal movement is not faster and dashing is', () => {
    const w = createWorld(1);
    const p = addPlayer(w, 'a', 'Ada');
    p.protectTicks = 0;
    const x0 = p.x, y0 = p.y;
    stepPlayerMovement(p, { seq: 1, moveX: 1, moveY: 1, aim: 0, fire: false, dash: false });
    expect(Math.hypot(p.x - x0, p.y - y0)).toBeCloseTo(10, 5);
    const x1 = p.x;
    stepPlayerMovement(p, { seq: 2, moveX: 1, moveY: 0, aim: 0, fire: false, dash: true });
    expect(p.x - x1).toBeCloseTo(30, 5);
  });
});

describe('difficulty knobs', () => {
  const knobsFrom = (value: (k: KnobName, i: number) => number): DifficultyKnobs =>
    Object.fromEntries(KNOB_NAMES.map((k, i) => [k, value(k, i)])) as unknown as DifficultyKnobs;

  it('clamps every knob into its hard bounds, including NaN and Infinity', () => {
    const wild = knobsFrom((_k, i) => [NaN, Infinity, -Infinity, -1e9, 1e9, 0, 1][i % 7]!);
    const clamped = clampKnobs(wild);
    for (const k of KNOB_NAMES) {
      expect(clamped[k]).toBeGreaterThanOrEqual(KNOB_BOUNDS[k].min);
      expect(clamped[k]).toBeLessThanOrEqual(KNOB_BOUNDS[k].max);
    }
    expect(createWorld(1, wild).knobs).toEqual(clamped);
  });

  it('summarises harder knobs as a higher difficulty index', () => {
    const easy = knobsFrom((k) => (k === 'pickupRate' || k === 'relaxSeconds' ? KNOB_BOUNDS[k].max : KNOB_BOUNDS[k].min));
    const hard = knobsFrom((k) => (k === 'pickupRate' || k === 'relaxSeconds' ? KNOB_BOUNDS[k].min : KNOB_BOUNDS[k].max));
    expect(difficultyIndex(hard)).toBeGreaterThan(difficultyIndex(defaultKnobs()));
    expect(difficultyIndex(defaultKnobs())).toBeGreaterThan(difficultyIndex(easy));
  });
});

describe('input frames', () => {
  it('encodes one finite, bounded row per tick with the documented features', () => {
    const w = play(3, 200);
    const p = w.players.get('a')!;
    const out = new Float32Array(FRAME_FEATURES);
    encodeInputFrame(w, p, { seq: 1, moveX: 1, moveY: 0, aim: 0, fire: true, dash: false }, out, 0);
    expect(FRAME_FEATURE_NAMES.length).toBe(FRAME_FEATURES);
    for (const v of out) {
      expect(Number.isFinite(v)).toBe(true);
      expect(Math.abs(v)).toBeLessThanOrEqual(1.0001);
    }
    expect(out[FRAME_FEATURE_NAMES.indexOf('fire')]).toBe(1);
    expect(() => encodeInputFrame(w, p, { seq: 1, moveX: 0, moveY: 0, aim: 0, fire: false, dash: false }, out, 1)).toThrow(RangeError);
  });

  it('the ring returns the latest frames oldest first, across the wrap', () => {
    const w = createWorld(5);
    const p = addPlayer(w, 'a', 'Ada');
    const ring = new FrameRing(8);
    expect(ring.latest(4)).toBeNull();
    const rng = { rng: 9 };
    const moves: number[] = [];
    for (let i = 0; i < 13; i++) {
      const mx = Math.round((nextRandom(rng) * 2 - 1) * 100) / 100;
      moves.push(mx);
      ring.record(w, p, { seq: i + 1, moveX: mx, moveY: 0, aim: 0, fire: false, dash: false });
    }
    const latest = ring.latest(5)!;
    const got = Array.from({ length: 5 }, (_, i) => latest[i * FRAME_FEATURES]!);
    expect(got.map((v) => Math.round(v * 100) / 100)).toEqual(moves.slice(-5));
    expect(() => new FrameRing(0)).toThrow(RangeError);
  });
});

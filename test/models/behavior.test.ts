/**
 * The behavior model's parts: the model factory, scripted bots, data generation on the
 * real simulation, deterministic training, inference without tensor leaks, metrics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  addPlayer, createWorld, FRAME_FEATURE_NAMES, FRAME_FEATURES, FRAME_WINDOW, FrameRing, idleInput, stepWorld,
  type PlayerInput,
} from '@pulse-arena/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotPlayer, directionToKeys, drawSkill } from '../../models/src/behavior/bots.js';
import { BehaviorClassifier, WINDOW_FLOATS } from '../../models/src/behavior/classifier.js';
import {
  classCounts, episodeSeed, generateWindows, MAX_EPISODES_PER_SPLIT, runEpisode, SPLIT_SEED_BASE,
} from '../../models/src/behavior/dataset.js';
import { argmaxRows, classificationReport } from '../../models/src/metrics.js';
import { BEHAVIOR_CLASSES, createBehaviorModel } from '../../models/src/behavior/model.js';
import { balancedOrder, mirrorWindow, trainBehaviorModel } from '../../models/src/behavior/train.js';
import { aliveFraction, MIN_ALIVE_FRACTION } from '../../models/src/behavior/windows.js';
import { createRng, initBackend, loadModel, saveModel, tf } from '../../models/src/runtime/index.js';

let dir: string;

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
  dir = await mkdtemp(path.join(tmpdir(), 'pulse-behavior-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic pseudo-frames for shape and leak tests. */
function fakeWindows(n: number, seed = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * WINDOW_FLOATS }, () => rng.range(-1, 1));
}

describe('createBehaviorModel', () => {
  it('maps [batch, FRAME_WINDOW, FRAME_FEATURES] to a softmax over the classes, small', () => {
    const model = createBehaviorModel();
    expect(model.inputs[0]!.shape).toEqual([null, FRAME_WINDOW, FRAME_FEATURES]);
    expect(model.outputs[0]!.shape).toEqual([null, BEHAVIOR_CLASSES.length]);
    expect(model.countParams()).toBeLessThanOrEqual(100_000);
    const probs = tf.tidy(() => (model.predict(tf.tensor3d(fakeWindows(3), [3, FRAME_WINDOW, FRAME_FEATURES])) as tf.Tensor).arraySync() as number[][]);
    expect(probs).toHaveLength(3);
    for (const row of probs) {
      expect(row).toHaveLength(6);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    model.dispose();
  });

  it('honours its options and is reproducible from its seed', () => {
    const a = createBehaviorModel({ filters: [8, 8], kernelSize: 3, denseUnits: 4, classes: 3, seed: 5 });
    const b = createBehaviorModel({ filters: [8, 8], kernelSize: 3, denseUnits: 4, classes: 3, seed: 5 });
    const c = createBehaviorModel({ filters: [8, 8], kernelSize: 3, denseUnits: 4, classes: 3, seed: 6 });
    expect(a.outputs[0]!.shape).toEqual([null, 3]);
    const w = (m: tf.LayersModel): number[] => Array.from(m.getWeights()[0]!.dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('rejects bad arguments with clear errors', () => {
    expect(() => createBehaviorModel({ kernelSize: 4 })).toThrow(/kernelSize must be odd/);
    expect(() => createBehaviorModel({ kernelSize: 0 })).toThrow(/kernelSize must be an integer/);
    expect(() => createBehaviorModel({ filters: [] })).toThrow(/at least one conv block/);
    expect(() => createBehaviorModel({ filters: [16, 0] })).toThrow(/filters\[1\] must be an integer/);
    expect(() => createBehaviorModel({ classes: 1 })).toThrow(/classes must be at least 2/);
    expect(() => createBehaviorModel({ windowTicks: 7 })).toThrow(/windowTicks 7 is too short for the first stride 4 and 2 halvings/);
    expect(() => createBehaviorModel({ windowTicks: 64, firstStride: 1, filters: [8, 8, 8, 8, 8, 8, 8, 8] })).toThrow(/too short/);
    const odd = createBehaviorModel({ windowTicks: 63, features: 4, filters: [4, 4] });
    expect(odd.outputs[0]!.shape).toEqual([null, BEHAVIOR_CLASSES.length]);
    odd.dispose();
    expect(() => createBehaviorModel({ firstStride: 0 })).toThrow(/firstStride must be an integer/);
    expect(() => createBehaviorModel({ firstStride: 7 })).toThrow(/firstStride must be an integer in \[1, 5\]/);
    expect(() => createBehaviorModel({ features: 2.5 })).toThrow(/features must be an integer/);
    expect(() => createBehaviorModel({ seed: -1 })).toThrow(/seed must be a non-negative integer/);
    expect(() => createBehaviorModel({ denseUnits: Number.NaN })).toThrow(/denseUnits/);
  });
});

describe('save → load', () => {
  it('gives identical predictions', async () => {
    const model = createBehaviorModel({ seed: 3 });
    await saveModel(model, path.join(dir, 'rt'));
    const loaded = await loadModel(path.join(dir, 'rt'));
    const x = fakeWindows(16, 2);
    const predict = (m: tf.LayersModel): number[] => tf.tidy(() =>
      Array.from((m.predict(tf.tensor3d(x, [16, FRAME_WINDOW, FRAME_FEATURES])) as tf.Tensor).dataSync()));
    expect(predict(loaded)).toEqual(predict(model));
    model.dispose();
    loaded.dispose();
  });
});

describe('BehaviorClassifier', () => {
  it('keeps tf.memory().numTensors flat over 100 batches of 100 and 1,000 single windows', async () => {
    const classifier = new BehaviorClassifier(createBehaviorModel({ seed: 4 }));
    const batch = fakeWindows(100, 3);
    const one = batch.subarray(0, WINDOW_FLOATS);
    classifier.predict(batch); // warm-up allocations
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) expect(classifier.predict(batch)).toHaveLength(100 * 6);
    for (let i = 0; i < 1000; i++) classifier.predict(one);
    expect(classifier.classify(one)[0]!.probabilities).toHaveLength(6);
    expect(tf.memory().numTensors).toBe(before);
    classifier.dispose();
    expect(() => classifier.predict(one)).toThrow(/disposed/);
  });

  it('rejects partial windows and models of the wrong shape', () => {
    const classifier = new BehaviorClassifier(createBehaviorModel({ seed: 4 }));
    expect(() => classifier.predict(new Float32Array(WINDOW_FLOATS + 1))).toThrow(/multiple of 1216 floats/);
    expect(() => classifier.predict(new Float32Array(0))).toThrow(RangeError);
    classifier.dispose();
    const wrong = createBehaviorModel({ classes: 3 });
    expect(() => new BehaviorClassifier(wrong)).toThrow(/must output 6 classes/);
    wrong.dispose();
  });
});

describe('bots', () => {
  function play(style: (typeof BEHAVIOR_CLASSES)[number], seed: number, ticks: number): PlayerInput[] {
    const world = createWorld(77);
    const self = addPlayer(world, 'p', 'p');
    const bot = new BotPlayer(style, createRng(seed));
    const inputs: PlayerInput[] = [];
    for (let t = 0; t < ticks; t++) {
      const input = bot.act(world, self);
      inputs.push(input);
      stepWorld(world, new Map([['p', input]]));
    }
    return inputs;
  }

  it('replay identically from the same seed, and differ with another', () => {
    for (const style of BEHAVIOR_CLASSES) {
      const a = play(style, 11, 400);
      expect(play(style, 11, 400), style).toEqual(a);
      if (style !== 'idle') expect(play(style, 12, 400), style).not.toEqual(a);
    }
  });

  it('draw per-episode skill from style ranges: the aimbot is instant, the novice slow and noisy', () => {
    const rng = createRng(1);
    for (let i = 0; i < 20; i++) {
      const inhuman = drawSkill('inhuman', rng), novice = drawSkill('novice', rng), aggressive = drawSkill('aggressive', rng);
      expect(inhuman.reactionTicks).toBe(0);
      expect(inhuman.aimTurnRate).toBe(Infinity);
      expect(novice.aimNoise).toBeGreaterThan(aggressive.aimNoise);
      expect(novice.reactionTicks).toBeGreaterThan(aggressive.reactionTicks);
    }
  });

  it('press keyboard keys, like the browser client', () => {
    expect(directionToKeys(1, 0.1)).toEqual({ moveX: 1, moveY: 0 });
    expect(directionToKeys(-1, -1)).toEqual({ moveX: -1, moveY: -1 });
    expect(directionToKeys(0, 0)).toEqual({ moveX: 0, moveY: 0 });
    for (const style of BEHAVIOR_CLASSES) {
      for (const input of play(style, 3, 300)) {
        expect([-1, 0, 1]).toContain(input.moveX);
        expect([-1, 0, 1]).toContain(input.moveY);
        expect(Math.abs(input.aim)).toBeLessThanOrEqual(Math.PI);
      }
    }
  });

  it('behave like their style in the game', () => {
    const summary = (style: (typeof BEHAVIOR_CLASSES)[number]) => {
      const inputs = play(style, 5, 1200);
      return {
        moving: inputs.filter((i) => i.moveX !== 0 || i.moveY !== 0).length / inputs.length,
        firing: inputs.filter((i) => i.fire).length / inputs.length,
      };
    };
    const idle = summary('idle'), aggressive = summary('aggressive'), collector = summary('collector');
    expect(idle.moving).toBeLessThan(0.1);
    expect(idle.firing).toBeLessThan(0.01);
    expect(aggressive.moving).toBeGreaterThan(0.8);
    expect(aggressive.firing).toBeGreaterThan(collector.firing);
  });
});

describe('dataset', () => {
  it('splits seeds into disjoint ranges and checks episode indices', () => {
    expect(episodeSeed('train', 0)).toBe(SPLIT_SEED_BASE.train);
    const ranges = Object.values(SPLIT_SEED_BASE).sort((a, b) => a - b);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]! - ranges[i - 1]!).toBeGreaterThanOrEqual(MAX_EPISODES_PER_SPLIT);
    expect(() => episodeSeed('heldout', -1)).toThrow(RangeError);
    expect(() => episodeSeed('heldout', MAX_EPISODES_PER_SPLIT)).toThrow(RangeError);
    expect(() => runEpisode(1, { players: 5 })).toThrow(/players must be 1–4/);
    expect(() => runEpisode(1, { ticks: 10 })).toThrow(/ticks must be/);
  });

  it('records frames the server way: the shared encoding, oldest tick first', () => {
    const ep = runEpisode(episodeSeed('train', 3), { players: 1, styles: ['aggressive'], ticks: 240, stride: 1, switches: false });
    expect(ep.windows.length).toBeGreaterThan(100);
    const f = (name: (typeof FRAME_FEATURE_NAMES)[number]): number => FRAME_FEATURE_NAMES.indexOf(name);
    for (let k = 0; k < ep.windows.length; k++) {
      const w = ep.windows[k]!;
      expect(w).toHaveLength(WINDOW_FLOATS);
      expect(aliveFraction(w)).toBeGreaterThanOrEqual(MIN_ALIVE_FRACTION);
      for (let t = 0; t < FRAME_WINDOW; t++) {
        const row = w.subarray(t * FRAME_FEATURES, (t + 1) * FRAME_FEATURES);
        expect(row[f('moving')]).toBe(row[f('moveX')] !== 0 || row[f('moveY')] !== 0 ? 1 : 0);
        expect(row[f('aimSin')]! ** 2 + row[f('aimCos')]! ** 2).toBeCloseTo(1, 5);
        expect([0, 1]).toContain(row[f('fire')]);
      }
      // Consecutive reads of the ring slide by one tick.
      if (k > 0) {
        expect(w.subarray(0, (FRAME_WINDOW - 1) * FRAME_FEATURES)).toEqual(ep.windows[k - 1]!.subarray(FRAME_FEATURES));
      }
    }
    // The same ring class the room uses, fed by hand, reads back the same layout.
    const world = createWorld(9);
    const p = addPlayer(world, 'a', 'a');
    const ring = new FrameRing(FRAME_WINDOW * 2);
    for (let t = 0; t < FRAME_WINDOW; t++) {
      stepWorld(world, new Map());
      ring.record(world, p, idleInput(p.aim, p.lastSeq));
    }
    expect(aliveFraction(ring.latest(FRAME_WINDOW)!)).toBe(1);
  });

  it('produces labelled, balanced-ish windows with every style, deterministically', () => {
    const a = generateWindows({ split: 'validation', episodes: 6, stride: 64 });
    const b = generateWindows({ split: 'validation', episodes: 6, stride: 64 });
    expect(a.count).toBeGreaterThan(50);
    expect(a.x).toHaveLength(a.count * WINDOW_FLOATS);
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(a.x).toEqual(b.x);
    const counts = classCounts(a);
    expect(counts.every((c) => c > 0)).toBe(true);
    expect(Array.from(a.purity).every((p) => p > 0.5 && p <= 1)).toBe(true);
    expect(Array.from(a.seed).every((s) => s >= SPLIT_SEED_BASE.validation && s < SPLIT_SEED_BASE.validation + 6)).toBe(true);
  });
});

describe('training', () => {
  it('is deterministic: the same seed and data give the same weights', async () => {
    const train = generateWindows({ split: 'train', episodes: 2, stride: 64 });
    const val = generateWindows({ split: 'validation', episodes: 1, stride: 64 });
    const options = {
      seed: 3, epochs: 1, episodes: 1, valEpisodes: 1, batchSize: 16, learningRate: 3e-3, stride: 64,
      model: { filters: [8, 8], denseUnits: 8 }, verbose: false,
    };
    const r1 = await trainBehaviorModel(options, { train, val });
    const r2 = await trainBehaviorModel(options, { train, val });
    const flat = (m: tf.LayersModel): number[] => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
    expect(flat(r1.model)).toEqual(flat(r2.model));
    expect(flat(r1.model)).not.toEqual(flat(createBehaviorModel({ filters: [8, 8], denseUnits: 8, seed: 3 })));
    expect(r1.history).toHaveLength(1);
    r1.model.dispose();
    r2.model.dispose();
    await expect(trainBehaviorModel({ ...options, epochs: 0 }, { train, val })).rejects.toThrow(/--epochs must be a positive integer/);
  });

  it('mirrors windows by flipping only the direction features', () => {
    const w = fakeWindows(1, 9);
    const original = w.slice();
    mirrorWindow(w, true, false);
    const changed = new Set<string>();
    for (let i = 0; i < w.length; i++) if (w[i] !== original[i]) changed.add(FRAME_FEATURE_NAMES[i % FRAME_FEATURES]!);
    expect([...changed].sort()).toEqual(['aimCos', 'moveX']);
    mirrorWindow(w, true, true);
    mirrorWindow(w, false, true);
    expect(w).toEqual(original);
  });

  it('draws class-balanced batches', () => {
    const labels = Uint8Array.from([...Array(90).fill(0), ...Array(10).fill(1)]);
    const order = balancedOrder(labels, 2, 10, 10, createRng(1));
    expect(order).toHaveLength(100);
    const ones = Array.from(order).filter((i) => labels[i] === 1).length;
    expect(ones).toBe(50);
  });
});

describe('metrics', () => {
  it('computes accuracy, per-class recall/precision, macro-F1 and the confusion matrix', () => {
    const truth = [0, 0, 0, 1, 1, 2];
    const pred = [0, 0, 1, 1, 1, 0];
    const r = classificationReport(truth, pred, ['a', 'b', 'c']);
    expect(r.accuracy).toBeCloseTo(4 / 6);
    expect(r.confusion).toEqual([[2, 1, 0], [0, 2, 0], [1, 0, 0]]);
    expect(r.perClass[0]).toMatchObject({ precision: 2 / 3, recall: 2 / 3, support: 3 });
    expect(r.perClass[2]!.f1).toBe(0);
    expect(r.macroF1).toBeCloseTo((2 / 3 + 0.8 + 0) / 3);
    expect(Array.from(argmaxRows([0.1, 0.9, 0.7, 0.3], 2))).toEqual([1, 0]);
    expect(() => classificationReport([0], [0, 1], ['a', 'b'])).toThrow(RangeError);
  });
});

/**
 * The inference host with its real worker thread and the committed behavior artifact:
 * real windows come back as the same probabilities the model gives in-process, requests
 * from many callers share batches, the queue is bounded, and the worker leaks no tensors.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BEHAVIOR_CLASSES } from '../../models/src/behavior/classes.js';
import { BehaviorClassifier } from '../../models/src/behavior/classifier.js';
import { initBackend } from '../../models/src/runtime/index.js';
import { DEFAULT_BEHAVIOR_DIR, InferenceHost, resolveInferenceOptions, WINDOW_FLOATS } from '../../server/src/inference/host.js';
import type { BehaviorScores } from '../../server/src/inference/types.js';
import { realWindows, type LabelledWindows } from './realWindows.js';

const logs: string[] = [];
let host: InferenceHost;
let real: LabelledWindows;
let direct: BehaviorClassifier;

beforeAll(async () => {
  real = realWindows(8);
  await initBackend('wasm');
  direct = await BehaviorClassifier.load(DEFAULT_BEHAVIOR_DIR);
  host = new InferenceHost({ maxBatch: 64, maxWaitMs: 4, log: (l) => logs.push(l), faultInjection: true, env: {} });
  expect(await host.ready(30_000)).toBe(true);
});

afterAll(async () => {
  await host?.close();
  direct?.dispose();
});

function expectProbabilityVector(p: Float32Array): void {
  expect(p).toHaveLength(BEHAVIOR_CLASSES.length);
  for (const v of p) {
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
  expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
}

describe('InferenceHost (behavior, real worker)', () => {
  it('reports the backend, the models and a start-up line once', () => {
    const status = host.status();
    expect(status.backend).toBe('wasm');
    expect(status.workers).toEqual({ total: 1, ready: 1 });
    const behavior = status.models.find((m) => m.name === 'behavior')!;
    expect(behavior).toMatchObject({ state: 'AVAILABLE', version: '1', classes: [...BEHAVIOR_CLASSES] });
    expect(behavior.signature?.inputs[0]).toEqual({ name: 'frames', dtype: 'float32', shape: [-1, 64, 19] });
    expect(logs.filter((l) => l.startsWith('inference: backend wasm'))).toHaveLength(1);
  });

  it('classifies real windows exactly as the model does in-process, each answer in its caller\'s place', async () => {
    // All at once, so they share batches: a mix-up of positions inside a batch would show.
    const results = await Promise.all(real.windows.map((w) => host.classifyBehavior(w)));
    const packed = new Float32Array(real.windows.length * WINDOW_FLOATS);
    real.windows.forEach((w, i) => packed.set(w, i * WINDOW_FLOATS));
    const expected = direct.predict(packed);
    const k = BEHAVIOR_CLASSES.length;
    let right = 0;
    results.forEach((r, i) => {
      expect(r.scored).toBe(true);
      expectProbabilityVector(r.probabilities);
      for (let c = 0; c < k; c++) expect(r.probabilities[c]).toBeCloseTo(expected[i * k + c]!, 5);
      const top = r.probabilities.indexOf(Math.max(...r.probabilities));
      if (BEHAVIOR_CLASSES[top] === real.labels[i]) right++;
    });
    // The bots' styles are recognisable through the host, not just "some numbers".
    expect(right / results.length).toBeGreaterThanOrEqual(0.75);
  });

  it('batches concurrent requests from many callers into far fewer worker batches', async () => {
    const before = host.stats().counters.behavior;
    const n = 200;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => host.classifyBehavior(real.windows[i % real.windows.length]!)));
    const after = host.stats().counters.behavior;
    expect(results.every((r) => r.scored)).toBe(true);
    expect(after.requests - before.requests).toBe(n);
    expect(after.scored - before.scored).toBe(n);
    // 200 requests at maxBatch 64 → 4 batches (never more than a handful).
    expect(after.batches - before.batches).toBeLessThanOrEqual(6);
    expect(after.maxBatch).toBe(64);
    // A few requests from different "rooms" within maxWaitMs share one batch too.
    const b0 = host.stats().counters.behavior.batches;
    const spread = [0, 1, 2].map((d) => new Promise<BehaviorScores>((resolve) => {
      setTimeout(() => resolve(host.classifyBehavior(real.windows[d]!)), d);
    }));
    await Promise.all(spread);
    expect(host.stats().counters.behavior.batches - b0).toBeLessThanOrEqual(2);
  });

  it('sends a lone request after about maxWaitMs, not never', async () => {
    const t0 = performance.now();
    const r = await host.classifyBehavior(real.windows[0]!);
    const ms = performance.now() - t0;
    expect(r.scored).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(3);
    expect(ms).toBeLessThan(500);
  });

  it('keeps the worker\'s tensor count flat over many batches', async () => {
    const [before] = await host.debugStatus();
    expect(before).not.toBeNull();
    for (let round = 0; round < 30; round++) {
      await Promise.all(Array.from({ length: 1 + (round * 7) % 90 }, (_, i) => host.classifyBehavior(real.windows[i % real.windows.length]!)));
      if (round % 10 === 0) await host.scoreChat('gg wp'); // chat too, whether it is loaded or not
    }
    const [after] = await host.debugStatus();
    expect(after!.batches - before!.batches).toBeGreaterThanOrEqual(30);
    expect(after!.numTensors).toBe(before!.numTensors);
    expect(after!.numBytes).toBe(before!.numBytes);
  });

  it('answers a malformed window neutrally instead of throwing', async () => {
    const r = await host.classifyBehavior(new Float32Array(10));
    expect(r.scored).toBe(false);
    expect(Array.from(r.probabilities)).toEqual(BEHAVIOR_CLASSES.map(() => Math.fround(1 / BEHAVIOR_CLASSES.length)));
  });

  it('bounds the queue: the oldest request is dropped with a neutral answer and counted', async () => {
    const small = new InferenceHost({ maxBatch: 4, maxQueue: 4, maxWaitMs: 1, maxInFlightPerWorker: 1, chatDir: null, faultInjection: true, log: () => undefined, env: {} });
    try {
      expect(await small.ready(30_000)).toBe(true);
      small.hangWorker(0, 400); // the worker is busy: batches wait on the main thread
      const first = await Promise.all(Array.from({ length: 4 }, () => small.classifyBehavior(real.windows[0]!)));
      expect(first.every((r) => r.scored)).toBe(true);
      small.hangWorker(0, 400);
      const inFlight = Array.from({ length: 4 }, () => small.classifyBehavior(real.windows[1]!)); // one batch in flight
      await new Promise((r) => setTimeout(r, 20));
      const queued = Array.from({ length: 6 }, (_, i) => small.classifyBehavior(real.windows[i]!)); // 4 fit, 2 push out the oldest
      const t0 = performance.now();
      const dropped = await Promise.all(queued.slice(0, 2));
      expect(performance.now() - t0).toBeLessThan(100); // answered at once, not after the hang
      expect(dropped.every((r) => !r.scored)).toBe(true);
      const rest = await Promise.all([...inFlight, ...queued.slice(2)]);
      expect(rest.every((r) => r.scored)).toBe(true);
      expect(small.stats().counters.behavior).toMatchObject({ dropped: 2, neutral: 2 });
    } finally {
      await small.close();
    }
  });
});

describe('InferenceHost options', () => {
  it('reads INFERENCE_* variables, lets explicit options win, and names a bad variable', () => {
    const env = { INFERENCE_MAX_BATCH: '32', INFERENCE_MAX_WAIT_MS: '2.5', INFERENCE_WORKERS: '2' };
    expect(resolveInferenceOptions({ env })).toMatchObject({ maxBatch: 32, maxWaitMs: 2.5, workers: 2 });
    expect(resolveInferenceOptions({ env, maxBatch: 8 }).maxBatch).toBe(8);
    expect(resolveInferenceOptions({ env: {} })).toMatchObject({ maxBatch: 64, maxWaitMs: 200, chatMaxWaitMs: 1, workers: 1, backend: null });
    expect(resolveInferenceOptions({ env: { INFERENCE_CHAT_MAX_WAIT_MS: '0' } }).chatMaxWaitMs).toBe(0);
    expect(() => resolveInferenceOptions({ env: { INFERENCE_MAX_BATCH: 'lots' } })).toThrow(/INFERENCE_MAX_BATCH must be an integer/);
    expect(() => resolveInferenceOptions({ env: { INFERENCE_MAX_WAIT_MS: '-1' } })).toThrow(/INFERENCE_MAX_WAIT_MS/);
    expect(() => resolveInferenceOptions({ env: {}, workers: 0 })).toThrow(/workers must be an integer in \[1, 16\]/);
    expect(() => resolveInferenceOptions({ env: { PULSE_TF_BACKEND: 'tpu' } })).toThrow(/backend must be one of/);
  });

  it('honours PULSE_TF_BACKEND in the worker, and reports a missing artifact instead of failing', async () => {
    const lines: string[] = [];
    const cpu = new InferenceHost({ env: { PULSE_TF_BACKEND: 'cpu' }, behaviorDir: '/nonexistent/behavior/v9', chatDir: null, log: (l) => lines.push(l) });
    try {
      expect(await cpu.ready(30_000)).toBe(true);
      const status = cpu.status();
      expect(status.backend).toBe('cpu');
      const behavior = status.models.find((m) => m.name === 'behavior')!;
      expect(behavior.state).toBe('UNAVAILABLE');
      expect(behavior.error).toMatch(/nonexistent/);
      const r = await cpu.classifyBehavior(real.windows[0]!);
      expect(r.scored).toBe(false);
      expect(lines.join('\n')).toMatch(/inference: backend cpu.*behavior v9 UNAVAILABLE/);
    } finally {
      await cpu.close();
    }
  });

  it('spreads batches over several workers when configured', async () => {
    const two = new InferenceHost({ workers: 2, maxBatch: 16, chatDir: null, log: () => undefined, env: {} });
    try {
      await vi.waitFor(() => expect(two.status().workers).toEqual({ total: 2, ready: 2 }), { timeout: 30_000, interval: 50 });
      const results = await Promise.all(Array.from({ length: 256 }, (_, i) => two.classifyBehavior(real.windows[i % real.windows.length]!)));
      expect(results.every((r) => r.scored)).toBe(true);
      const debug = await two.debugStatus();
      expect(debug.map((d) => d!.batches > 0)).toEqual([true, true]);
    } finally {
      await two.close();
    }
  });

  it('answers neutrally before its worker is ready and after close', async () => {
    const early = new InferenceHost({ chatDir: null, log: () => undefined, env: {} });
    const first = await early.classifyBehavior(real.windows[0]!);
    expect(first.scored).toBe(false);
    expect(early.status().models.every((m) => m.state === 'UNAVAILABLE')).toBe(true);
    await early.close();
    expect((await early.classifyBehavior(real.windows[0]!)).scored).toBe(false);
    expect((await early.scoreChat('hi')).scored).toBe(false);
    expect(await early.ready(10)).toBe(false);
  });
});

/**
 * The shared TF.js runtime: backend choice, model save/load, seeded randomness and the
 * training progress bar.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKEND_ORDER, createRng, describeBackend, hashSeed, initBackend, loadModel, loadModelArtifacts,
  MODEL_JSON, ProgressBar, readModelMetadata, saveModel, tf, WEIGHTS_BIN,
} from '../../models/src/runtime/index.js';

let dir: string;

/** The native packages are optional; where one is installed the chain legitimately stops there. */
const nativeInstalled = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].some((pkg) => {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pulse-runtime-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tinyModel(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [16, 3] });
  const conv = tf.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(input);
  const flat = tf.layers.flatten().apply(conv);
  const out = tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(flat);
  return tf.model({ inputs: input, outputs: out as tf.SymbolicTensor });
}

describe('initBackend', () => {
  it.skipIf(nativeInstalled)('falls through the native backends (not installed) to wasm, with SIMD and without threads', async () => {
    expect(BACKEND_ORDER).toEqual(['node-gpu', 'node', 'wasm', 'cpu']);
    expect(await initBackend()).toBe('wasm');
    const info = await describeBackend();
    expect(info).toMatchObject({ name: 'wasm', choice: 'wasm', simd: true, threads: false });
  });

  it('starts the chain where asked and tries an explicit list exactly', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    expect(await describeBackend()).toMatchObject({ name: 'wasm', simd: true, threads: false });
    expect(await initBackend('cpu')).toBe('cpu');
    expect(await initBackend(['wasm', 'cpu'])).toBe('wasm');
    if (!nativeInstalled) {
      expect(await initBackend(['node', 'cpu'])).toBe('cpu');
      await expect(initBackend(['node-gpu', 'node'])).rejects.toThrow(/no TensorFlow.js backend could be initialised \(tried node-gpu, node\)/);
    }
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects unknown backend names with the list of valid ones', async () => {
    await expect(initBackend('webgpu' as never)).rejects.toThrow(/unknown backend 'webgpu' \(expected one of node-gpu, node, wasm, cpu\)/);
    await expect(initBackend(['wasm', 'tpu' as never])).rejects.toThrow(/unknown backend 'tpu'/);
  });
});

describe('saveModel / loadModel', () => {
  it('round-trips a model to model.json + weights.bin with identical predictions', async () => {
    await initBackend('wasm');
    const model = tinyModel(7);
    const out = path.join(dir, 'roundtrip');
    const info = await saveModel(model, out, { note: 'hello' });
    expect(info.weightBytes).toBe(model.countParams() * 4);
    const json = JSON.parse(await readFile(path.join(out, MODEL_JSON), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual([WEIGHTS_BIN]);
    expect(await readModelMetadata(out)).toEqual({ note: 'hello' });

    const loaded = await loadModel(out);
    const x = tf.tensor3d(Array.from({ length: 5 * 16 * 3 }, (_, i) => Math.sin(i)), [5, 16, 3]);
    const a = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    const b = tf.tidy(() => (loaded.predict(x) as tf.Tensor).dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  });

  it('explains what is wrong with a folder it cannot load', async () => {
    await expect(loadModel(path.join(dir, 'missing'))).rejects.toThrow(/cannot read .*missing.model\.json/);
    const bad = path.join(dir, 'bad');
    await saveModel(tinyModel(1), bad);
    await writeFile(path.join(bad, MODEL_JSON), '{not json');
    await expect(loadModel(bad)).rejects.toThrow(/is not valid JSON/);
    await writeFile(path.join(bad, MODEL_JSON), JSON.stringify({ format: 'layers-model' }));
    await expect(loadModel(bad)).rejects.toThrow(/has no modelTopology/);
    const escape = path.join(dir, 'escape');
    await saveModel(tinyModel(1), escape);
    const json = JSON.parse(await readFile(path.join(escape, MODEL_JSON), 'utf8'));
    json.weightsManifest[0].paths = ['../../etc/passwd'];
    await writeFile(path.join(escape, MODEL_JSON), JSON.stringify(json));
    await expect(loadModelArtifacts(escape)).rejects.toThrow(/weight path '..\/..\/etc\/passwd' .* leaves/);
    const noWeights = path.join(dir, 'no-weights');
    await saveModel(tinyModel(1), noWeights);
    await rm(path.join(noWeights, WEIGHTS_BIN));
    await expect(loadModel(noWeights)).rejects.toThrow(/cannot read weights .*weights\.bin/);
  });
});

describe('seeded randomness', () => {
  it('replays the same stream from the same seed and differs across seeds', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const seqA = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('forks independent named streams without advancing the parent', () => {
    const r = createRng(5);
    const before = createRng(5).next();
    const f1 = r.fork('bots'), f2 = createRng(5).fork('bots'), f3 = r.fork('data');
    expect(f1.next()).toBe(f2.next());
    expect(f3.next()).not.toBe(createRng(5).fork('bots').next());
    expect(r.next()).toBe(before);
  });

  it('has the usual helpers, with argument checks', () => {
    const r = createRng(9);
    for (let i = 0; i < 200; i++) {
      const n = r.int(6);
      expect(Number.isInteger(n) && n >= 0 && n < 6).toBe(true);
      const v = r.range(-2, 3);
      expect(v >= -2 && v < 3).toBe(true);
    }
    const g = Array.from({ length: 4000 }, () => r.gaussian());
    const mean = g.reduce((s, v) => s + v, 0) / g.length;
    const sd = Math.sqrt(g.reduce((s, v) => s + (v - mean) ** 2, 0) / g.length);
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(Math.abs(sd - 1)).toBeLessThan(0.06);
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.pick([])).toThrow(RangeError);
    expect(() => createRng(Number.NaN)).toThrow(RangeError);
    expect(hashSeed('a', 1)).toBe(hashSeed('a', 1));
    expect(hashSeed('a', 1)).not.toBe(hashSeed('a', 2));
    expect(hashSeed(1, 'a')).not.toBe(hashSeed('1a'));
  });
});

describe('ProgressBar', () => {
  function fakeStream(isTTY: boolean): { write(s: string): void; isTTY: boolean; text: string } {
    return { isTTY, text: '', write(s: string) { this.text += s; } };
  }

  it('renders label, bar, percentage, counts, timing and extra info', () => {
    let t = 0;
    const bar = new ProgressBar({ total: 10, label: 'epoch 1/3', width: 10, stream: fakeStream(true), now: () => t });
    t = 2000;
    bar.update(5);
    expect(bar.render('loss 0.5')).toBe('epoch 1/3 [#####-----]  50% 5/10 2.0s eta 2.0s loss 0.5');
  });

  it('prints one line per 10 % without a TTY, and a final line on finish', () => {
    let t = 0;
    const stream = fakeStream(false);
    const bar = new ProgressBar({ total: 100, stream, now: () => t });
    for (let i = 1; i <= 100; i++) { t += 10; bar.tick(); }
    bar.finish('done');
    const lines = stream.text.trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toMatch(/100% 100\/100 1\.0s done$/);
    expect(() => new ProgressBar({ total: 0 })).toThrow(RangeError);
  });
});

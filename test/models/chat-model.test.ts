/**
 * The chat model's factory, training loop, metrics, save/load and inference wrapper, on
 * tiny models and corpora so the file stays fast on a CPU-only CI machine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChatVocabulary, ChatTokenizer } from '@pulse-arena/shared/chat';
import { ChatClassifier } from '../../models/src/chat/classifier.js';
import type { ChatExample } from '../../models/src/chat/corpus.js';
import { binaryReport, clusterBootstrapInterval } from '../../models/src/metrics.js';
import { createChatModel, ensembleChatModels, resolveChatModelOptions, SENTIMENT_LABELS, type ChatModelOptions } from '../../models/src/chat/model.js';
import { chatLosses, DEFAULT_CHAT_TRAIN_OPTIONS, pickToxicThresholds, trainChatModel } from '../../models/src/chat/train.js';
import { initBackend, loadModel, saveModel, tf } from '../../models/src/runtime/index.js';

const SMALL: ChatModelOptions = { vocabSize: 50, sequenceLength: 8, embeddingDim: 8, lstmUnits: 6, seed: 3 };

function randomIds(n: number, len: number, vocab: number): tf.Tensor2D {
  const ids = new Int32Array(n * len);
  for (let i = 0; i < ids.length; i++) ids[i] = i % 3 === 0 ? 0 : (i * 7919) % vocab; // some padding, deterministic
  return tf.tensor2d(ids, [n, len], 'int32');
}

function predictAll(model: tf.LayersModel, x: tf.Tensor): number[][] {
  return tf.tidy(() => (model.predict(x) as tf.Tensor[]).map((t) => Array.from(t.dataSync())));
}

let tmp: string;
beforeAll(async () => {
  await initBackend('wasm');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'chat-model-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('createChatModel', () => {
  it.each([
    ['bidirectional, max pooling', {}],
    ['bidirectional, last state', { pooling: 'last' as const }],
    ['one direction', { bidirectional: false }],
  ])('%s: int ids in, sentiment [n,3] and toxicity [n,1] out', (_, extra) => {
    const model = createChatModel({ ...SMALL, ...extra });
    expect(model.inputs[0]!.shape).toEqual([null, 8]);
    expect(model.outputs.map((o) => o.shape)).toEqual([[null, 3], [null, 1]]);
    const x = randomIds(5, 8, 50);
    const [s, t] = predictAll(model, x);
    for (let i = 0; i < 5; i++) expect(s!.slice(i * 3, i * 3 + 3).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(t!.every((p) => p > 0 && p < 1)).toBe(true);
    x.dispose();
    model.dispose();
  });

  it('is reproducible from its seed', () => {
    const a = createChatModel(SMALL);
    const b = createChatModel(SMALL);
    const c = createChatModel({ ...SMALL, seed: 4 });
    const w = (m: tf.LayersModel): number[] => m.getWeights().flatMap((t) => Array.from(t.dataSync()));
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it.each([
    [{ ...SMALL, vocabSize: 3 }, /vocabSize/],
    [{ ...SMALL, vocabSize: 10.5 }, /vocabSize/],
    [{ ...SMALL, sequenceLength: 0 }, /sequenceLength/],
    [{ ...SMALL, sequenceLength: 1000 }, /sequenceLength/],
    [{ ...SMALL, embeddingDim: -1 }, /embeddingDim/],
    [{ ...SMALL, lstmUnits: Number.NaN }, /lstmUnits/],
    [{ ...SMALL, seed: -1 }, /seed/],
    [{ ...SMALL, bidirectional: 'yes' as unknown as boolean }, /bidirectional/],
    [{ ...SMALL, pooling: 'mean' as 'max' }, /pooling/],
  ])('rejects bad options %#', (options, message) => {
    const before = tf.memory().numTensors;
    expect(() => createChatModel(options)).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fills defaults', () => {
    expect(resolveChatModelOptions({ vocabSize: 100, sequenceLength: 32 })).toEqual({
      vocabSize: 100, sequenceLength: 32, embeddingDim: 32, lstmUnits: 32, bidirectional: true, pooling: 'max', bagOfWords: true, seed: 1,
    });
  });
});

describe('save → load', () => {
  it('gives identical predictions', async () => {
    const model = createChatModel(SMALL);
    const dir = path.join(tmp, 'roundtrip');
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    const x = randomIds(16, 8, 50);
    expect(predictAll(loaded, x)).toEqual(predictAll(model, x));
    x.dispose();
    model.dispose();
    loaded.dispose();
  });
});

describe('ChatClassifier', () => {
  const texts = ['gg wp', 'you are trash', 'nice shot', 'u r trash', '', 'f u c k you'];
  const tokenizer = new ChatTokenizer(buildChatVocabulary(texts, { maxSize: 50, minCount: 1, sequenceLength: 8 }));

  it('scores raw strings and does not leak tensors', () => {
    const classifier = new ChatClassifier(createChatModel({ ...SMALL, vocabSize: tokenizer.size }), tokenizer, 0.5);
    const first = classifier.score(texts);
    expect(first).toHaveLength(texts.length);
    for (const s of first) {
      expect(SENTIMENT_LABELS).toContain(s.sentiment);
      expect(s.toxic).toBe(s.toxicity >= 0.5);
      expect(Object.values(s.sentimentProbabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    expect(classifier.score([])).toEqual([]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) classifier.score(texts);
    classifier.score(new Array(600).fill('gg wp')); // more than one backend batch
    expect(tf.memory().numTensors).toBe(before);
    expect(classifier.score(texts)).toEqual(first); // deterministic
    classifier.dispose();
    expect(() => classifier.score(texts)).toThrow(/disposed/);
  });

  it('rejects a model that does not match the tokenizer', () => {
    const model = createChatModel({ ...SMALL, sequenceLength: 9 });
    expect(() => new ChatClassifier(model, tokenizer)).toThrow(/sequence length/);
    model.dispose();
  });

  it('fails loading a folder without artifacts, naming the file', async () => {
    await expect(ChatClassifier.load(path.join(tmp, 'missing'))).rejects.toThrow(/vocab\.json|metadata\.json/);
  });
});

describe('chatLosses', () => {
  it('scales the toxicity loss by its weight (tfjs ignores compile lossWeights) and rejects a bad weight', () => {
    const yTrue = tf.tensor2d([[1], [0], [1]]);
    const yPred = tf.tensor2d([[0.9], [0.2], [0.4]]);
    const plain = tf.metrics.binaryCrossentropy(yTrue, yPred);
    const [, weighted] = chatLosses(3) as unknown as [string, (t: tf.Tensor, p: tf.Tensor) => tf.Tensor];
    expect(typeof weighted).toBe('function');
    const scaled = weighted(yTrue, yPred);
    const [a, b] = [Array.from(plain.dataSync()), Array.from(scaled.dataSync())];
    b.forEach((v, i) => expect(v).toBeCloseTo(3 * a[i]!, 5));
    expect(chatLosses(1)).toEqual(['sparseCategoricalCrossentropy', 'binaryCrossentropy']);
    expect(chatLosses(3)[0]).toBe('sparseCategoricalCrossentropy');
    expect(() => chatLosses(0)).toThrow(RangeError);
    expect(() => chatLosses(Number.NaN)).toThrow(RangeError);
    tf.dispose([yTrue, yPred, plain, scaled]);
  });
});

describe('trainChatModel', () => {
  // A toy corpus: toxic iff "trash"/"idiot" is aimed at "you"; sentiment from the other words.
  const lines: Array<[string, ChatExample['sentiment'], 0 | 1]> = [
    ['you are trash', 'negative', 1], ['you idiot', 'negative', 1], ['nice shot', 'positive', 0],
    ['gg wp', 'positive', 0], ['need ammo', 'neutral', 0], ['going left', 'neutral', 0],
    ['this map is trash', 'negative', 0], ['lag is bad', 'negative', 0],
  ];
  const corpus: ChatExample[] = [];
  for (let k = 0; k < 12; k++) {
    lines.forEach(([text, sentiment, toxic], i) => {
      corpus.push({ id: `${i}#${k}`, split: k < 9 ? 'train' : k < 11 ? 'val' : 'test', sentiment, toxic, tags: [], template: String(i), text });
    });
  }
  const options = {
    ...DEFAULT_CHAT_TRAIN_OPTIONS, epochs: 2, batchSize: 16, sequenceLength: 6, embeddingDim: 8, lstmUnits: 8,
    maxVocabulary: 40, minCount: 1, wordDropout: 0.1, verbose: false, ensemble: 1,
  };

  it('is deterministic for a seed and does not leak tensors', async () => {
    const before = tf.memory().numTensors;
    const a = await trainChatModel(corpus, options);
    const b = await trainChatModel(corpus, options);
    const w = (m: tf.LayersModel): number[] => m.getWeights().flatMap((t) => Array.from(t.dataSync()));
    expect(w(a.model)).toEqual(w(b.model));
    expect(a.history).toHaveLength(2);
    expect(a.tokenizer.vocabulary).toEqual(b.tokenizer.vocabulary);
    a.model.dispose();
    b.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains with a toxicity loss weight, and the weight changes what it learns', async () => {
    const before = tf.memory().numTensors;
    const plain = await trainChatModel(corpus, options);
    const weighted = await trainChatModel(corpus, { ...options, toxicityLossWeight: 4 });
    const w = (m: tf.LayersModel): number[] => m.getWeights().flatMap((t) => Array.from(t.dataSync()));
    expect(w(weighted.model).every(Number.isFinite)).toBe(true);
    expect(w(weighted.model)).not.toEqual(w(plain.model));
    plain.model.dispose();
    weighted.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains an ensemble whose member 1 is the single model of the same seed', async () => {
    const single = await trainChatModel(corpus, options);
    const pair = await trainChatModel(corpus, { ...options, ensemble: 2 });
    expect(pair.history).toHaveLength(4);
    expect(pair.bestEpochs).toHaveLength(2);
    const w = (m: tf.LayersModel, prefix: string): number[] => m.layers
      .filter((l) => l.name.startsWith(prefix)).flatMap((l) => l.getWeights().flatMap((t) => Array.from(t.dataSync())));
    expect(w(pair.model, 'm0_')).toEqual(w(single.model, ''));
    expect(pair.model.outputs.map((o) => o.shape)).toEqual([[null, 3], [null, 1]]);
    single.model.dispose();
    pair.model.dispose();
  });

  it('rejects bad options and corpora without a val split', async () => {
    await expect(trainChatModel(corpus, { ...options, epochs: 0 })).rejects.toThrow(/epochs/);
    await expect(trainChatModel(corpus, { ...options, wordDropout: 1 })).rejects.toThrow(/wordDropout/);
    await expect(trainChatModel(corpus.filter((e) => e.split === 'train'), options)).rejects.toThrow(/val/);
  });
});

describe('ensembleChatModels', () => {
  it('averages its members\' outputs and survives a save and load', async () => {
    const a = createChatModel({ ...SMALL, pooling: 'last', bidirectional: false, seed: 5 });
    const b = createChatModel({ ...SMALL, pooling: 'last', bidirectional: false, seed: 6 });
    const ens = ensembleChatModels([a, b], { ...SMALL, pooling: 'last', bidirectional: false });
    const x = randomIds(4, 8, 50);
    const [sa, ta] = predictAll(a, x);
    const [sb, tb] = predictAll(b, x);
    const [se, te] = predictAll(ens, x);
    se!.forEach((v, i) => expect(v).toBeCloseTo((sa![i]! + sb![i]!) / 2, 5));
    te!.forEach((v, i) => expect(v).toBeCloseTo((ta![i]! + tb![i]!) / 2, 5));
    const dir = path.join(tmp, 'ensemble');
    await saveModel(ens, dir);
    const loaded = await loadModel(dir);
    expect(predictAll(loaded, x)[1]).toEqual(te);
    x.dispose();
    for (const m of [a, b, ens, loaded]) m.dispose();
  });
});

describe('metrics and threshold', () => {
  it('computes binary counts and rates (multiclass reports: test/models/behavior.test.ts)', () => {
    const b = binaryReport([1, 1, 0, 0, 0], [true, false, true, false, false]);
    expect([b.tp, b.fn, b.fp, b.tn]).toEqual([1, 1, 1, 2]);
    expect(b.falsePositiveRate).toBeCloseTo(1 / 3);
    expect(() => binaryReport([1], [])).toThrow(RangeError);
  });

  it('bootstraps an interval over clusters: seeded, around the estimate, as wide as the clusters disagree', () => {
    // 20 clusters of 5 samples each, a cluster all right (1) or all wrong (0): accuracy 0.7.
    const correct = Array.from({ length: 100 }, (_, i) => (Math.floor(i / 5) % 10 < 7 ? 1 : 0));
    const clusters = Array.from({ length: 20 }, (_, c) => [0, 1, 2, 3, 4].map((k) => c * 5 + k));
    const accuracy = (lines: readonly number[]): number => lines.reduce((a, i) => a + correct[i]!, 0) / lines.length;
    const iv = clusterBootstrapInterval([clusters], accuracy, { seed: 7 });
    expect(iv).toEqual(clusterBootstrapInterval([clusters], accuracy, { seed: 7 }));
    expect(iv.low).toBeLessThan(0.7);
    expect(iv.high).toBeGreaterThan(0.7);
    // Each cluster counts once, not five times: the interval is that of 20 draws (±0.2), not of 100 (±0.09).
    expect(iv.high - iv.low).toBeGreaterThan(0.25);
    const lines = Array.from({ length: 100 }, (_, i) => [i]);
    const perLine = clusterBootstrapInterval([lines], accuracy, { seed: 7 });
    expect(perLine.high - perLine.low).toBeLessThan(0.25);
    // A stratum is resampled within itself: one that is all right and one all wrong never mix.
    const fixed = clusterBootstrapInterval([clusters.slice(0, 7), clusters.slice(7, 10)], accuracy, { resamples: 50 });
    expect(fixed).toEqual({ low: 0.7, high: 0.7 });
    expect(() => clusterBootstrapInterval([], accuracy)).toThrow(RangeError);
    expect(() => clusterBootstrapInterval([[[]]], accuracy)).toThrow(/at least one sample/);
    expect(() => clusterBootstrapInterval([clusters], accuracy, { level: 1 })).toThrow(/level/);
  });

  it('picks the best-F1 pair of thresholds (lines naming a group, the rest) that keeps identity false positives low', () => {
    const ex = (toxic: 0 | 1, text: string): ChatExample => ({
      id: '', split: 'val', sentiment: 'neutral', toxic, tags: /gay/.test(text) ? ['identity'] : [], template: '', text,
    });
    const examples = [
      ex(1, 'you are trash'), ex(1, 'uninstall loser'), ex(0, 'this lag is trash'),
      ex(0, 'proud to be gay'), ex(1, 'gay people ruin every game'),
    ];
    // Catching the 0.45 insult needs ≤ 0.45 for the rest (0.42 is clean); keeping the clean
    // identity line (0.85) unflagged needs > 0.85 for lines naming a group.
    expect(pickToxicThresholds([0.45, 0.9, 0.42, 0.85, 0.97], examples)).toEqual({ toxicThreshold: 0.45, identityToxicThreshold: 0.9 });
    // No pair within the budget: the one with the fewest identity false positives.
    const none = pickToxicThresholds([0.45, 0.9, 0.42, 0.99, 0.97], examples);
    expect(none.identityToxicThreshold).toBeGreaterThanOrEqual(0.3);
  });
});

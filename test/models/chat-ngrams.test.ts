/**
 * The chat model's n-gram readers (models/src/chat/ngrams.ts): features blind to which group a
 * line names, seeded training that learns (a sigmoid and a softmax), a byte-exact round trip
 * through the files, and the mix into toxicity and sentiment that both the classifier and the
 * inference worker's runner serve.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClassifier } from '../../models/src/chat/classifier.js';
import { mixProbability, NGRAM_FEATURES, ngramFeatures, NgramReader, NGRAMS_BIN, SENTIMENT_NGRAMS_BIN } from '../../models/src/chat/ngrams.js';
import { initBackend } from '../../models/src/runtime/index.js';
import { ChatRunner } from '../../server/src/inference/chatRunner.js';
import { SENTIMENT_CLASSES } from '../../server/src/inference/types.js';
import { SENTIMENT_LABELS } from '../../models/src/chat/model.js';
import { writeChatStandIn, type ChatArtifact } from '../inference/chatArtifact.js';

const TOXIC = ['you suck', 'you are trash', 'shut up idiot', 'you suck so bad', 'go away loser', 'you are an idiot'];
const CLEAN = ['i suck at this', 'nice shot', 'gg wp', 'this lag sucks', 'good game all', 'thanks for the heal'];
const texts = [...TOXIC, ...CLEAN];
const labels = [...TOXIC.map(() => 1), ...CLEAN.map(() => 0)];

describe('ngramFeatures', () => {
  it('reads every identity group word as one token, and word order as bigrams', () => {
    expect(ngramFeatures('muslims are welcome here', 1 << 16)).toEqual(ngramFeatures('women are welcome here', 1 << 16));
    expect(ngramFeatures('muslims are welcome here', 1 << 16)).not.toEqual(ngramFeatures('muslims are not welcome here', 1 << 16));
    expect(new Set(ngramFeatures('you suck', 1 << 16))).not.toEqual(new Set(ngramFeatures('suck you', 1 << 16)));
    expect(ngramFeatures('YOU SUCK!!!', 1 << 16)).toEqual(ngramFeatures('you suck', 1 << 16)); // the shared normalizer's words
    expect(ngramFeatures('', 1 << 16)).toEqual([]);
    expect(ngramFeatures('a b c d e f', 4).every((f) => f >= 0 && f < 4)).toBe(true);
  });

  it('shares features between forms of a word, and reads words beside a group apart from the same words elsewhere', () => {
    const f = (t: string): Set<number> => new Set(ngramFeatures(t, 1 << 20));
    expect(f('they ruined it')).toEqual(f('they ruins it'));
    // The same words said of a group and of a player: the group line has more features.
    const group = f('muslims ruin every lobby'), player = f('players ruin every lobby');
    expect(group.size).toBeGreaterThan(player.size);
    // Word order beside the group matters ("ruin" right after it, or three words before).
    expect(f('muslims ruin every lobby')).not.toEqual(f('ruin every lobby muslims'));
    expect(f('ruin every lobby muslims')).toEqual(f('ruin every lobby women'));
  });
});

describe('NgramReader', () => {
  it('learns from its lines, the same way for the same seed', () => {
    const a = NgramReader.train(texts, labels, { seed: 3 });
    const b = NgramReader.train(texts, labels, { seed: 3 });
    expect(a.weights).toEqual(b.weights);
    expect(a.bias).toEqual(b.bias);
    for (const t of TOXIC) expect(a.probability(t)).toBeGreaterThan(0.5);
    for (const t of CLEAN) expect(a.probability(t)).toBeLessThan(0.5);
    expect(NgramReader.train(texts, labels, { seed: 4 }).weights).not.toEqual(a.weights);
  });

  it('learns classes with a softmax', () => {
    const classes = [...TOXIC.map(() => 2), 0, 0, 0, 2, 0, 0]; // negative for the insults and the lag, positive for the rest
    const m = NgramReader.train(texts, classes, { seed: 1, outputs: 3 });
    texts.forEach((t, i) => {
      const p = m.probabilities(t);
      expect(p).toHaveLength(3);
      expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 5);
      expect(p.indexOf(Math.max(...p))).toBe(classes[i]);
    });
  });

  it('refuses bad options and mismatched inputs', () => {
    expect(() => NgramReader.train(texts, labels, { seed: 1, buckets: 1000 })).toThrow(/power of two/);
    expect(() => NgramReader.train(texts, labels.slice(1), { seed: 1 })).toThrow(/labels/);
    expect(() => NgramReader.train([], [], { seed: 1 })).toThrow(RangeError);
    expect(() => NgramReader.train(texts, labels, { seed: 1, epochs: 0 })).toThrow(/epochs/);
    expect(() => new NgramReader(new Float32Array(8).fill(Number.NaN), [0])).toThrow(/finite/);
    expect(() => NgramReader.train(texts, labels, { seed: 1, outputs: 2 })).toThrow(/outputs/);
    expect(() => NgramReader.train(texts, labels.map(() => 3), { seed: 1, outputs: 3 })).toThrow(/target 0/);
  });

  it('round-trips through ngrams.bin exactly, and names the file when it does not fit', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pulse-ngrams-'));
    try {
      const m = NgramReader.train(texts, labels, { seed: 1, buckets: 1 << 10 });
      await m.save(dir);
      const back = await NgramReader.load(dir, 1 << 10);
      expect(back.weights).toEqual(m.weights);
      expect(back.bias).toEqual(m.bias);
      for (const t of texts) expect(back.probability(t)).toBe(m.probability(t));
      await expect(NgramReader.load(dir, 1 << 11)).rejects.toThrow(NGRAMS_BIN);
      const s3 = NgramReader.train(texts, labels.map((l) => 2 * l), { seed: 1, buckets: 1 << 10, outputs: 3 });
      await s3.save(dir, SENTIMENT_NGRAMS_BIN);
      const s3back = await NgramReader.load(dir, 1 << 10, 3, SENTIMENT_NGRAMS_BIN);
      for (const t of texts) expect(s3back.probabilities(t)).toEqual(s3.probabilities(t));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('an artifact with an n-gram reader', () => {
  let plain: ChatArtifact;
  let mixedDir: string;
  const ngrams = NgramReader.train(texts, labels, { seed: 1, buckets: 1 << 10 });
  const sentimentNgrams = NgramReader.train(texts, labels.map((l) => 2 * l), { seed: 1, buckets: 1 << 10, outputs: 3 });
  const WEIGHT = 0.4;
  const SENTIMENT_WEIGHT = 0.7;

  beforeAll(async () => {
    await initBackend('cpu');
    plain = await writeChatStandIn();
    mixedDir = await mkdtemp(path.join(tmpdir(), 'pulse-chat-mixed-'));
    for (const f of ['model.json', 'weights.bin', 'vocab.json']) {
      await copyFile(path.join(plain.dir, f), path.join(mixedDir, f));
    }
    await writeFile(path.join(mixedDir, 'metadata.json'), JSON.stringify({
      name: 'chat', version: 1, sentimentLabels: ['positive', 'neutral', 'negative'], toxicThreshold: 0.5,
      ngrams: { file: NGRAMS_BIN, buckets: 1 << 10, weight: WEIGHT, features: NGRAM_FEATURES },
      sentimentNgrams: { file: SENTIMENT_NGRAMS_BIN, buckets: 1 << 10, weight: SENTIMENT_WEIGHT, features: NGRAM_FEATURES },
    }));
    await ngrams.save(mixedDir);
    await sentimentNgrams.save(mixedDir, SENTIMENT_NGRAMS_BIN);
  });
  afterAll(async () => {
    await plain.remove();
    await rm(mixedDir, { recursive: true, force: true });
  });

  it('serves the LSTM toxicity mixed with the reader, in the classifier and in the worker runner alike', async () => {
    const lstm = await ChatClassifier.load(plain.dir);
    const mixed = await ChatClassifier.load(mixedDir);
    const runner = await ChatRunner.load(mixedDir);
    try {
      const lines = [...texts, '', 'a much longer line about the last wave and the boss that keeps on going'];
      const base = lstm.predict(lines);
      const got = mixed.predict(lines);
      const served = runner.predict(lines);
      lines.forEach((t, i) => {
        expect(got.toxicity[i]).toBeCloseTo(mixProbability(base.toxicity[i]!, ngrams.probability(t), WEIGHT), 6);
        expect(served.toxicity[i]).toBeCloseTo(got.toxicity[i]!, 5);
        const p = sentimentNgrams.probabilities(t);
        for (let c = 0; c < 3; c++) expect(got.sentiment[i * 3 + c]).toBeCloseTo(mixProbability(base.sentiment[i * 3 + c]!, p[c]!, SENTIMENT_WEIGHT), 6);
      });
      // The runner's columns are SENTIMENT_CLASSES order; the mix must land on the right class.
      const byLabel = (o: { sentiment: Float32Array }, i: number, label: number): number => o.sentiment[i * 3 + label]!;
      const order = SENTIMENT_CLASSES.map((c) => SENTIMENT_LABELS.indexOf(c));
      lines.forEach((_, i) => order.forEach((label, c) => expect(served.sentiment[i * 3 + c]).toBeCloseTo(byLabel(got, i, label), 5)));
    } finally {
      lstm.dispose();
      mixed.dispose();
      runner.dispose();
    }
  });

  it('refuses an artifact whose ngrams.bin is missing', async () => {
    await rm(path.join(mixedDir, NGRAMS_BIN));
    await expect(ChatClassifier.load(mixedDir)).rejects.toThrow(NGRAMS_BIN);
    await ngrams.save(mixedDir);
  });

  it('refuses an artifact whose readers were trained on other features than this code reads', async () => {
    const file = path.join(mixedDir, 'metadata.json');
    const meta = JSON.parse(await readFile(file, 'utf8')) as { ngrams: { features: string } };
    await writeFile(file, JSON.stringify({ ...meta, ngrams: { ...meta.ngrams, features: 'hashed word unigrams' } }));
    try {
      await expect(ChatClassifier.load(mixedDir)).rejects.toThrow(/ngrams\.bin was trained on other n-gram features/);
      await expect(ChatRunner.load(mixedDir)).rejects.toThrow(/other n-gram features/);
    } finally {
      await writeFile(file, JSON.stringify(meta));
    }
  });
});

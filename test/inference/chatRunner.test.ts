/**
 * The worker's chat runner, in-process: the lean forward pass runs for the architectures it
 * knows (one LSTM direction or two, with or without the max over words) and gives the layers
 * model's outputs for every mix of message lengths (single messages, mixed batches, empty
 * and over-long messages); a model it does not know (max pooling over steps) runs as the
 * layers model, and the runner says why. No tensors leak.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClassifier } from '../../models/src/chat/classifier.js';
import type { ChatModelOptions } from '../../models/src/chat/model.js';
import { initBackend, tf } from '../../models/src/runtime/index.js';
import { ChatRunner } from '../../server/src/inference/chatRunner.js';
import { SENTIMENT_CLASSES } from '../../server/src/inference/types.js';
import { writeChatStandIn, type ChatArtifact } from './chatArtifact.js';

const artifacts: ChatArtifact[] = [];
beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(async () => {
  for (const a of artifacts) await a.remove();
});

function messages(n: number): string[] {
  const words = 'gg wp nice shot u r trash lol help me heal here go push wait team ez noob'.split(' ');
  // Mostly short lines, some long ones, some empty, one far past the sequence length.
  return Array.from({ length: n }, (_, i) => {
    const len = i % 17 === 0 ? 0 : i % 11 === 0 ? 45 : i % 5 === 0 ? 12 + (i % 9) : 1 + (i % 6);
    return Array.from({ length: len }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ');
  });
}

async function compare(options: Partial<ChatModelOptions>): Promise<{ runner: ChatRunner; full: ChatClassifier }> {
  const artifact = await writeChatStandIn(options);
  artifacts.push(artifact);
  return { runner: await ChatRunner.load(artifact.dir), full: await ChatClassifier.load(artifact.dir) };
}

describe('ChatRunner', () => {
  it.each([
    ['one LSTM direction with the max over words (the served architecture)', { pooling: 'last', bidirectional: false, bagOfWords: true }],
    ['two LSTM directions with the max over words', { pooling: 'last', bidirectional: true, bagOfWords: true }],
    ['one LSTM direction alone', { pooling: 'last', bidirectional: false, bagOfWords: false }],
  ] as const)('runs %s as the lean forward pass, with the layers model\'s outputs, in SENTIMENT_CLASSES order', async (_name, options) => {
    const { runner, full } = await compare(options);
    try {
      expect(runner.fallback).toBeNull();
      for (const batch of [messages(1), [''], ['gg'], messages(7), messages(64), messages(256)]) {
        const got = runner.predict(batch);
        const want = full.score(batch);
        want.forEach((w, i) => {
          SENTIMENT_CLASSES.forEach((c, k) => expect(got.sentiment[i * 3 + k]).toBeCloseTo(w.sentimentProbabilities[c], 5));
          expect(got.toxicity[i]).toBeCloseTo(w.toxicity, 5);
        });
      }
    } finally {
      runner.dispose();
      full.dispose();
    }
  });

  it('runs a model it does not know (max pooling over steps) as the layers model, and says why', async () => {
    const { runner, full } = await compare({ pooling: 'max' });
    try {
      expect(runner.fallback).toMatch(/^lean forward pass: unknown layer 'max_over_time'/);
      const batch = messages(40);
      const got = runner.predict(batch);
      const want = full.score(batch);
      want.forEach((w, i) => expect(got.toxicity[i]).toBeCloseTo(w.toxicity, 6));
    } finally {
      runner.dispose();
      full.dispose();
    }
  });

  it('leaks no tensors and handles an empty batch', async () => {
    const { runner, full } = await compare({ pooling: 'last', bidirectional: true });
    try {
      runner.predict(messages(50));
      const before = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) runner.predict(messages(1 + i * 13));
      expect(tf.memory().numTensors).toBe(before);
      expect(runner.predict([])).toEqual({ sentiment: new Float32Array(0), toxicity: new Float32Array(0) });
    } finally {
      runner.dispose();
      full.dispose();
    }
  });
});

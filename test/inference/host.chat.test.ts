/**
 * The chat LSTM through the inference host: the worker tokenises with the shared
 * tokenizer, runs both heads and returns sentiment in SENTIMENT_CLASSES order — the same
 * numbers the chat classifier gives in-process — batched, without leaking tensors, and
 * over the model API. Uses models/chat/v4 when committed, else a same-architecture stand-in.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClassifier } from '../../models/src/chat/classifier.js';
import { initBackend } from '../../models/src/runtime/index.js';
import { createModelApiRouter } from '../../server/src/http/modelApi.js';
import { InferenceHost } from '../../server/src/inference/host.js';
import { SENTIMENT_CLASSES } from '../../server/src/inference/types.js';
import { chatArtifact, type ChatArtifact } from './chatArtifact.js';

const MESSAGES = ['gg wp', 'nice shot!', 'u r trash lol', 'help me heal here', 'Y0U  R  Tr\u0430\u0430\u0430sh!!!', '', 'wave 12 go go go', 'ez noob'];
let artifact: ChatArtifact;
let direct: ChatClassifier;
let host: InferenceHost;

beforeAll(async () => {
  await initBackend('wasm');
  artifact = await chatArtifact();
  direct = await ChatClassifier.load(artifact.dir);
  host = new InferenceHost({ chatDir: artifact.dir, log: () => undefined, env: {} });
  expect(await host.ready(30_000)).toBe(true);
});

afterAll(async () => {
  await host?.close();
  direct?.dispose();
  await artifact?.remove();
});

describe('InferenceHost (chat, real worker)', () => {
  it('is available with the sentiment classes and toxic', async () => {
    const chat = host.status().models.find((m) => m.name === 'chat')!;
    const { version } = JSON.parse(await readFile(path.join(artifact.dir, 'metadata.json'), 'utf8')) as { version: number };
    expect(chat).toMatchObject({ state: 'AVAILABLE', version: String(version), classes: ['negative', 'neutral', 'positive', 'toxic'] });
  });

  it('scores messages as the chat classifier does in-process, sentiment in SENTIMENT_CLASSES order', async () => {
    const results = await Promise.all(MESSAGES.map((m) => host.scoreChat(m)));
    const expected = direct.score(MESSAGES);
    results.forEach((r, i) => {
      expect(r.scored).toBe(true);
      expect(r.sentiment.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(r.toxicity).toBeGreaterThanOrEqual(0);
      expect(r.toxicity).toBeLessThanOrEqual(1);
      SENTIMENT_CLASSES.forEach((c, k) => expect(r.sentiment[k]).toBeCloseTo(expected[i]!.sentimentProbabilities[c], 5));
      expect(r.toxicity).toBeCloseTo(expected[i]!.toxicity, 5);
    });
  });

  it('batches chat from many rooms and keeps the worker\'s tensor count flat', async () => {
    const [before] = await host.debugStatus();
    const b0 = host.stats().counters.chat.batches;
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => host.scoreChat(`${MESSAGES[i % MESSAGES.length]} ${round}`)));
      expect(results.every((r) => r.scored)).toBe(true);
    }
    expect(host.stats().counters.chat.batches - b0).toBeLessThanOrEqual(20);
    const [after] = await host.debugStatus();
    expect(after!.numTensors).toBe(before!.numTensors);
  });

  it('bounds what it sends: a very long message is cut to what the normalizer reads, not refused', async () => {
    const r = await host.scoreChat('gg '.repeat(10_000));
    expect(r.scored).toBe(true);
  });

  it('serves chat over the model API with { sentiment: {negative, neutral, positive}, toxicity }', async () => {
    const key = 'chat-test-key';
    const server = express().use(createModelApiRouter({ inference: host, apiKey: key })).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models/chat:predict`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ instances: ['gg wp', { text: 'u r trash lol' }] }),
      });
      expect(res.status).toBe(200);
      const body = await res.json() as { predictions: Array<{ sentiment: Record<string, number>; toxicity: number }> };
      const expected = direct.score(['gg wp', 'u r trash lol']);
      body.predictions.forEach((p, i) => {
        expect(Object.keys(p)).toEqual(['sentiment', 'toxicity']);
        expect(Object.keys(p.sentiment)).toEqual(['negative', 'neutral', 'positive']);
        for (const c of SENTIMENT_CLASSES) expect(p.sentiment[c]).toBeCloseTo(expected[i]!.sentimentProbabilities[c], 5);
        expect(p.toxicity).toBeCloseTo(expected[i]!.toxicity, 5);
      });
    } finally {
      server.close();
    }
  });
});

/**
 * The model-serving API (TensorFlow Serving's REST shape) on the real arena server, with a
 * real inference host behind it: authentication, limits, a precise 400 for every kind of
 * malformed instance, 404/405 for wrong targets, and correct predictions for valid ones.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEHAVIOR_CLASSES } from '../../models/src/behavior/classes.js';
import { createModelApiRouter, DEFAULT_MAX_INSTANCES } from '../../server/src/http/modelApi.js';
import { InferenceHost, MODEL_SIGNATURES } from '../../server/src/inference/host.js';
import type { InferenceService, InferenceStatus } from '../../server/src/inference/types.js';
import { bootArena, type BootedArena } from '../helpers/arenaServer.js';
import { realWindows } from './realWindows.js';

const KEY = 'test-model-api-key-0123456789';
const auth = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' };
const windows = realWindows(2).windows;
let host: InferenceHost;
let arena: BootedArena;

beforeAll(async () => {
  host = new InferenceHost({ log: () => undefined, env: {} });
  expect(await host.ready(30_000)).toBe(true);
  arena = await bootArena(null, { inference: host, modelApiKey: KEY });
});

afterAll(async () => {
  await arena?.shutdown();
  await host?.close();
});

/** A window as nested rows: FRAME_WINDOW arrays of FRAME_FEATURES numbers. */
function nested(w: Float32Array): number[][] {
  return Array.from({ length: 64 }, (_, t) => Array.from(w.subarray(t * 19, (t + 1) * 19)));
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = auth): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${arena.http}${path}`, {
    method, headers, ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

const predictBehavior = (body: unknown) => call('POST', '/v1/models/behavior:predict', body);

describe('model API: authentication', () => {
  it('answers 401 without a key, with a wrong key or with another scheme, and never serves a prediction', async () => {
    const body = { instances: [nested(windows[0]!)] };
    for (const headers of [
      { 'Content-Type': 'application/json' },
      { ...auth, Authorization: 'Bearer wrong-key' },
      { ...auth, Authorization: `Basic ${Buffer.from(`admin:${KEY}`).toString('base64')}` },
      { ...auth, Authorization: `Bearer ${KEY}x` },
    ]) {
      const r = await call('POST', '/v1/models/behavior:predict', body, headers);
      expect(r.status).toBe(401);
      expect(r.json.error).toMatch(/API key/);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect((await call('GET', '/v1/models', undefined, {})).status).toBe(401);
  });

  it('is never open by default: without a key it generates one and logs it', async () => {
    const lines: string[] = [];
    const app = express().use(createModelApiRouter({ inference: host, env: {}, log: (l) => lines.push(l) }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models`;
      expect((await fetch(url)).status).toBe(401);
      const key = /Bearer (\S+)"/.exec(lines.join('\n'))?.[1];
      expect(key).toMatch(/^[\w-]{24,}$/);
      expect((await fetch(url, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
    } finally {
      server.close();
    }
  });
});

describe('model API: models and status', () => {
  it('lists the served models', async () => {
    const r = await call('GET', '/v1/models');
    expect(r.status).toBe(200);
    expect(r.json.models.map((m: { name: string }) => m.name)).toEqual(['behavior', 'chat']);
    expect(r.json.models[0]).toMatchObject({ name: 'behavior', version: '1', state: 'AVAILABLE', backend: 'wasm', classes: [...BEHAVIOR_CLASSES] });
  });

  it('describes a model in TF Serving\'s model_version_status shape with backend, classes and signature', async () => {
    const r = await call('GET', '/v1/models/behavior');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
      backend: 'wasm',
      classes: [...BEHAVIOR_CLASSES],
      signature: MODEL_SIGNATURES.behavior,
    });
    const chat = await call('GET', '/v1/models/chat');
    expect(chat.status).toBe(200);
    expect(chat.json.classes).toEqual(['negative', 'neutral', 'positive', 'toxic']);
    expect(['AVAILABLE', 'UNAVAILABLE']).toContain(chat.json.model_version_status[0].state);
    const meta = await call('GET', '/v1/models/behavior/metadata');
    expect(meta.json.metadata.signature_def.signature_def.serving_default).toEqual(MODEL_SIGNATURES.behavior);
    expect((await call('GET', '/v1/models/behavior/versions/1')).status).toBe(200);
  });

  it('answers 404 for an unknown model, version or endpoint, 405 for GET on :predict', async () => {
    for (const [method, path] of [
      ['GET', '/v1/models/resnet'], ['POST', '/v1/models/resnet:predict'], ['GET', '/v1/models/behavior/versions/7'],
      ['POST', '/v1/models/behavior/versions/7:predict'], ['GET', '/v1/nothing-here'], ['POST', '/v1/models/behavior:classify'],
    ] as const) {
      const r = await call(method, path, method === 'POST' ? { instances: [nested(windows[0]!)] } : undefined);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(typeof r.json.error).toBe('string');
    }
    expect((await call('GET', '/v1/models/resnet')).json.error).toBe("model 'resnet' not found; served models: behavior, chat");
    const r = await call('GET', '/v1/models/behavior:predict');
    expect(r.status).toBe(405);
  });

  it('reports the inference host in /health', async () => {
    const health = await (await fetch(`${arena.http}/health`)).json() as { inference: any };
    expect(health.inference).toMatchObject({ backend: 'wasm', workers: { total: 1, ready: 1 }, restarts: 0 });
    expect(health.inference.models[0]).toEqual({ name: 'behavior', version: '1', state: 'AVAILABLE' });
    expect(health.inference.counters.behavior.requests).toEqual(expect.any(Number));
  });
});

describe('model API: behavior predictions', () => {
  it('predicts nested, flat and { frames } instances alike, with class probabilities and the top class', async () => {
    const w = windows[0]!;
    const r = await predictBehavior({ instances: [nested(w), Array.from(w), { frames: nested(w) }, nested(windows[5]!)] });
    expect(r.status).toBe(200);
    expect(r.json.predictions).toHaveLength(4);
    const direct = await host.classifyBehavior(w.slice());
    for (const p of r.json.predictions.slice(0, 3)) {
      expect(Object.keys(p.probabilities)).toEqual([...BEHAVIOR_CLASSES]);
      const values = Object.values(p.probabilities) as number[];
      expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(p.confidence).toBe(Math.max(...values));
      expect(p.class).toBe(BEHAVIOR_CLASSES[values.indexOf(p.confidence)]);
      BEHAVIOR_CLASSES.forEach((c, k) => expect(p.probabilities[c]).toBeCloseTo(direct.probabilities[k]!, 5));
    }
    expect(r.json.predictions[3]).not.toEqual(r.json.predictions[0]);
  });

  it('accepts signature_name "serving_default" and the most instances allowed', async () => {
    // Rounded so 256 windows fit in the 1 MiB body limit (full precision is ~24 KB a window).
    const many = Array.from({ length: DEFAULT_MAX_INSTANCES }, (_, i) => Array.from(windows[i % windows.length]!, (v) => Math.round(v)));
    const r = await predictBehavior({ signature_name: 'serving_default', instances: many });
    expect(r.status).toBe(200);
    expect(r.json.predictions).toHaveLength(DEFAULT_MAX_INSTANCES);
  });

  it('answers 400 naming the offending element for every kind of malformed instance', async () => {
    const good = () => nested(windows[0]!);
    const withValue = (t: number, f: number, v: unknown) => {
      const w: unknown[][] = good();
      w[t]![f] = v;
      return w;
    };
    const flatWith = (i: number, v: unknown) => {
      const w: unknown[] = Array.from(windows[0]!);
      w[i] = v;
      return w;
    };
    const cases: Array<[unknown, RegExp | string]> = [
      [{ instances: [good(), good(), good(), withValue(12, 5, 'x')] }, 'instances[3][12][5]: must be a finite number'],
      [{ instances: [withValue(0, 0, null)] }, 'instances[0][0][0]: must be a finite number'],
      [{ instances: [withValue(63, 18, [1])] }, 'instances[0][63][18]: must be a finite number'],
      [{ instances: [withValue(2, 3, { a: 1 })] }, 'instances[0][2][3]: must be a finite number'],
      [{ instances: [withValue(2, 3, true)] }, 'instances[0][2][3]: must be a finite number'],
      [{ instances: [withValue(1, 1, 1e39)] }, /^instances\[0\]\[1\]\[1\]: must be a finite number within float32 range$/],
      [{ instances: [flatWith(700, 'NaN')] }, 'instances[0][700]: must be a finite number'],
      [{ instances: [good().slice(1)] }, /^instances\[0\]: has 63 elements; must be a 64 × 19 array/],
      [{ instances: [good().map((row, t) => (t === 5 ? row.slice(1) : row))] }, 'instances[0][5]: has 18 values, expected 19'],
      [{ instances: [good().map((row, t) => (t === 9 ? 42 : row))] }, 'instances[0][9]: must be an array of 19 numbers'],
      [{ instances: [Array.from(windows[0]!).slice(1)] }, /^instances\[0\]: has 1215 elements/],
      [{ instances: [[[[[1]]]]] }, /^instances\[0\]: has 1 elements/],
      [{ instances: ['a window'] }, /^instances\[0\]: must be a 64 × 19 array of numbers or a flat array of 1216 numbers$/],
      [{ instances: [null] }, /^instances\[0\]: must be/],
      [{ instances: [{ frames: { nested: { garbage: [] } } }] }, /^instances\[0\]\.frames: must be/],
      [{ instances: [{}] }, 'instances[0]: missing "frames"'],
      [{ instances: [{ frames: good(), extra: 1 }] }, `instances[0]: unknown key 'extra' (expected "frames")`],
      [{ instances: [] }, 'instances: must not be empty'],
      [{ instances: { 0: good() } }, 'instances: must be an array'],
      [{ inputs: [good()] }, `body: unknown key 'inputs' (expected "instances" or "signature_name")`],
      [{ instances: [good()], signature_name: 'other' }, 'signature_name: only "serving_default" is served'],
      [[good()], 'body: must be a JSON object with "instances"'],
      ['"just a string"', 'body: must be a JSON object with "instances"'],
    ];
    for (const [body, message] of cases) {
      const r = await predictBehavior(body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      if (typeof message === 'string') expect(r.json.error).toBe(message);
      else expect(r.json.error).toMatch(message);
    }
  });

  it('answers 400 (not 500) to __proto__ keys, NaN literals and broken JSON, and changes nothing', async () => {
    const before = host.stats().counters.behavior.requests;
    const protoInInstance = `{"instances":[{"__proto__":{"frames":${JSON.stringify(nested(windows[0]!))}}}]}`;
    let r = await predictBehavior(protoInInstance);
    expect(r.status).toBe(400);
    expect(r.json.error).toBe(`instances[0]: unknown key '__proto__' (expected "frames")`);
    r = await predictBehavior(`{"__proto__":{"instances":[]},"instances":[${JSON.stringify(nested(windows[0]!))}]}`);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/^body: unknown key '__proto__'/);
    r = await predictBehavior(`{"instances":[[${'NaN,'.repeat(1215)}NaN]]}`);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/^body: not valid JSON/);
    r = await predictBehavior('{"instances": [[1, 2');
    expect(r.status).toBe(400);
    expect(({} as Record<string, unknown>).frames).toBeUndefined();
    expect(host.stats().counters.behavior.requests).toBe(before);
  });

  it('answers 400 to an oversize batch and 413 to a huge payload', async () => {
    const flat = Array.from(windows[0]!, () => 0);
    const r = await predictBehavior({ instances: Array.from({ length: DEFAULT_MAX_INSTANCES + 1 }, () => flat) });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe(`instances: at most ${DEFAULT_MAX_INSTANCES} per request, got ${DEFAULT_MAX_INSTANCES + 1}`);
    const huge = `{"instances":["${'x'.repeat(2 * 1024 * 1024)}"]}`;
    const big = await predictBehavior(huge);
    expect(big.status).toBe(413);
    expect(big.json.error).toMatch(/larger than 1048576 bytes/);
  });
});

describe('model API: chat', () => {
  it('predicts chat (or answers 503 while the chat model is unavailable) and validates text instances', async () => {
    const chatState = host.status().models.find((m) => m.name === 'chat')!.state;
    const r = await call('POST', '/v1/models/chat:predict', { instances: ['gg wp', { text: 'nice shot' }] });
    if (chatState === 'AVAILABLE') {
      expect(r.status).toBe(200);
      expect(r.json.predictions).toHaveLength(2);
      for (const p of r.json.predictions) {
        expect(Object.keys(p.sentiment)).toEqual(['negative', 'neutral', 'positive']);
        expect((Object.values(p.sentiment) as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
        expect(p.toxicity).toBeGreaterThanOrEqual(0);
        expect(p.toxicity).toBeLessThanOrEqual(1);
      }
    } else {
      expect(r.status).toBe(503);
      expect(r.json.error).toMatch(/^model 'chat' is unavailable/);
    }
    const cases: Array<[unknown, string]> = [
      [{ instances: [5] }, 'instances[0]: must be a string or { "text": string }'],
      [{ instances: ['ok', { text: 5 }] }, 'instances[1].text: must be a string'],
      [{ instances: [{ txt: 'hi' }] }, `instances[0]: unknown key 'txt' (expected "text")`],
      [{ instances: [{ __proto__: null, text: 'hi', toString: 'x' }] }, `instances[0]: unknown key 'toString' (expected "text")`],
      [{ instances: [['nested', ['garbage']]] }, 'instances[0]: must be a string or { "text": string }'],
      [{ instances: ['x'.repeat(2001)] }, 'instances[0]: longer than 2000 characters'],
    ];
    for (const [body, message] of cases) {
      const bad = await call('POST', '/v1/models/chat:predict', body);
      expect(bad.status).toBe(400);
      expect(bad.json.error).toBe(message);
    }
  });

  it('returns { sentiment: { negative, neutral, positive }, toxicity } per message (stub service)', async () => {
    const texts: string[] = [];
    const status: InferenceStatus = {
      backend: 'wasm', restarts: 0, queued: 0,
      models: [
        { name: 'behavior', version: '1', state: 'AVAILABLE', classes: BEHAVIOR_CLASSES },
        { name: 'chat', version: '1', state: 'AVAILABLE', classes: ['negative', 'neutral', 'positive', 'toxic'] },
      ],
    };
    const stub: InferenceService = {
      classifyBehavior: async () => ({ probabilities: new Float32Array(6).fill(1 / 6), scored: true }),
      scoreChat: async (text) => {
        texts.push(text);
        return text.includes('trash') ? { sentiment: [0.8, 0.15, 0.05], toxicity: 0.9, scored: true } : { sentiment: [0.1, 0.2, 0.7], toxicity: 0.01, scored: true };
      },
      status: () => status,
      behaviorWaitMs: 0,
      close: async () => undefined,
    };
    const server = express().use(createModelApiRouter({ inference: stub, apiKey: KEY })).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models/chat:predict`, {
        method: 'POST', headers: auth, body: JSON.stringify({ instances: ['u r trash', { text: 'gg wp' }] }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        predictions: [
          { sentiment: { negative: 0.8, neutral: 0.15, positive: 0.05 }, toxicity: 0.9 },
          { sentiment: { negative: 0.1, neutral: 0.2, positive: 0.7 }, toxicity: 0.01 },
        ],
      });
      expect(texts).toEqual(['u r trash', 'gg wp']);
      // A model that answers neutrally (restarting worker) is a 503, not fake predictions.
      stub.scoreChat = async () => ({ sentiment: [0, 1, 0], toxicity: 0, scored: false });
      const down = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models/chat:predict`, {
        method: 'POST', headers: auth, body: JSON.stringify({ instances: ['hello'] }),
      });
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('1');
    } finally {
      server.close();
    }
  });
});

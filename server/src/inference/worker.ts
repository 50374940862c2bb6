/**
 * Inference worker thread: picks the TensorFlow.js backend (node-gpu → node → wasm → cpu,
 * or $PULSE_TF_BACKEND / the host's choice), loads the behavior CNN and the chat LSTM,
 * warms them up, says `ready`, then runs each batch the host sends and transfers the
 * results back. Every prediction runs inside the classifiers' tf.tidy, so the tensor count
 * stays flat (the `debug` message reports it).
 *
 * A model whose artifact is missing or broken is reported unavailable; the worker still
 * serves the other one. Only a backend that cannot start at all is fatal.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { FRAME_FEATURES, FRAME_WINDOW } from '@pulse-arena/shared';
import { BEHAVIOR_CLASSES, BehaviorClassifier } from '@pulse-arena/models/behavior';
import { BACKEND_ORDER, describeBackend, initBackend, tf } from '@pulse-arena/models/runtime';
import { ChatRunner } from './chatRunner.js';
import type { HostToWorker, WorkerInit, WorkerModelInfo, WorkerToHost } from './protocol.js';
import { SENTIMENT_CLASSES } from './types.js';

const port = parentPort;
if (!port) throw new Error('inference worker must run in a worker thread');
const init = workerData as WorkerInit;

function send(message: WorkerToHost, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** "v1" or 1 in metadata.json → "1"; the folder name ("v1" → "1") when there is none. */
async function artifactVersion(dir: string): Promise<string> {
  try {
    const meta = JSON.parse(await readFile(path.join(dir, 'metadata.json'), 'utf8')) as { version?: unknown };
    if (typeof meta.version === 'string' || typeof meta.version === 'number') return String(meta.version).replace(/^v/, '');
  } catch {
    // No or unreadable metadata: the folder name says it.
  }
  return path.basename(dir).replace(/^v/, '');
}

let behavior: BehaviorClassifier | null = null;
let chat: ChatRunner | null = null;
let batches = 0;

async function loadBehavior(dir: string | null): Promise<WorkerModelInfo> {
  const info: WorkerModelInfo = { name: 'behavior', version: dir ? await artifactVersion(dir) : '0', available: false, classes: [...BEHAVIOR_CLASSES] };
  if (!dir) return { ...info, error: 'no artifact folder configured' };
  try {
    behavior = await BehaviorClassifier.load(dir);
    // Warm-up: the first call of each batch shape allocates and compiles kernels.
    behavior.predict(new Float32Array(FRAME_WINDOW * FRAME_FEATURES));
    behavior.predict(new Float32Array(32 * FRAME_WINDOW * FRAME_FEATURES));
    return { ...info, available: true };
  } catch (err) {
    behavior = null;
    return { ...info, error: errorText(err) };
  }
}

async function loadChat(dir: string | null): Promise<WorkerModelInfo> {
  const info: WorkerModelInfo = { name: 'chat', version: dir ? await artifactVersion(dir) : '0', available: false, classes: [...SENTIMENT_CLASSES, 'toxic'] };
  if (!dir) return { ...info, error: 'no artifact folder configured' };
  try {
    chat = await ChatRunner.load(dir);
    chat.predict(['warm up']);
    chat.predict(Array.from({ length: 32 }, (_, i) => `warm up message number ${i}`));
    return { ...info, available: true, note: chat.fallback === null ? 'lean forward pass' : `layers model: ${chat.fallback}` };
  } catch (err) {
    chat = null;
    const message = errorText(err);
    return { ...info, error: /ENOENT/.test(message) ? `artifact missing in ${dir}: ${message}` : message };
  }
}

function runBehavior(msg: Extract<HostToWorker, { type: 'behavior' }>): void {
  if (!behavior) {
    send({ type: 'failed', batch: msg.batch, message: 'behavior model is not loaded' });
    return;
  }
  const probabilities = behavior.predict(msg.windows);
  batches++;
  send({ type: 'behavior', batch: msg.batch, probabilities }, [probabilities.buffer as ArrayBuffer]);
}

function runChat(msg: Extract<HostToWorker, { type: 'chat' }>): void {
  if (!chat) {
    send({ type: 'failed', batch: msg.batch, message: 'chat model is not loaded' });
    return;
  }
  const { sentiment, toxicity } = chat.predict(msg.texts);
  batches++;
  send({ type: 'chat', batch: msg.batch, sentiment, toxicity }, [sentiment.buffer as ArrayBuffer, toxicity.buffer as ArrayBuffer]);
}

function onMessage(msg: HostToWorker): void {
  switch (msg.type) {
    case 'behavior':
    case 'chat':
      try {
        if (msg.type === 'behavior') runBehavior(msg);
        else runChat(msg);
      } catch (err) {
        send({ type: 'failed', batch: msg.batch, message: errorText(err) });
      }
      return;
    case 'debug': {
      const mem = tf.memory();
      send({ type: 'debug', id: msg.id, numTensors: mem.numTensors, numBytes: mem.numBytes, batches });
      return;
    }
    case 'hang':
      if (init.faultInjection) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, msg.ms);
      return;
  }
}

async function start(): Promise<void> {
  const t0 = performance.now();
  let backend: string;
  try {
    // The host already applied $PULSE_TF_BACKEND (or its own option): no second reading here.
    backend = await initBackend(init.backend ?? BACKEND_ORDER);
  } catch (err) {
    send({ type: 'fatal', message: errorText(err) });
    process.exit(1);
  }
  const simd = (await describeBackend()).simd ?? null;
  const models = [await loadBehavior(init.behaviorDir), await loadChat(init.chatDir)];
  port!.on('message', onMessage);
  send({ type: 'ready', backend, simd, models, startMs: Math.round(performance.now() - t0) });
}

void start();

/**
 * The inference host: serves the behavior CNN and the chat LSTM to every room (and to the
 * model-serving HTTP API) from worker threads, so no tick ever waits for a model.
 *
 * Requests queue on the main thread, one queue per model, across ALL rooms. A batch goes
 * to a worker when it reaches `maxBatch` or its oldest request has waited `maxWaitMs`
 * (`chatMaxWaitMs` for chat; a chat line with no chat batch in flight goes at once), as
 * ONE Float32Array whose buffer is transferred (behavior) or one array of strings (chat);
 * results come back transferred. A worker holds at most `maxInFlightPerWorker` batches, so
 * under load requests wait here (bounded: the oldest is dropped with a neutral answer) and
 * the next batch is as large as the backlog allows — batching grows with the load.
 *
 * Nothing here rejects or blocks: no worker ready (starting, crashed, restarting), a model
 * whose artifact is missing, a batch that times out, a full queue — each answers at once
 * with neutral outputs (`scored: false`). A crashed or hung worker is replaced with
 * exponential backoff.
 *
 * ```ts
 * const inference = new InferenceHost();           // defaults + INFERENCE_* env
 * const { probabilities, scored } = await inference.classifyBehavior(ring.latest()!);
 * await inference.close();
 * ```
 */
import { inferenceBatchSize, inferenceLatency } from '../metrics.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { FRAME_FEATURES, FRAME_WINDOW } from '@pulse-arena/shared';
import { BEHAVIOR_CLASSES } from '../../../models/src/behavior/classes.js';
import type { HostToWorker, WorkerDebug, WorkerInit, WorkerModelInfo, WorkerToHost } from './protocol.js';
import { RequestQueue } from './queue.js';
import {
  SENTIMENT_CLASSES, type BehaviorScores, type ChatScores, type InferenceService, type InferenceStatus,
  type ModelCounters, type ModelName, type ModelSignature, type ModelStatus,
} from './types.js';
import { log } from '../log.js';
import { spawnModuleWorker } from '../workers.js';

const inferenceLog = log.child({ component: 'inference' });

/** Floats in one behavior window. */
export const WINDOW_FLOATS = FRAME_WINDOW * FRAME_FEATURES;
/** Characters of a chat message the model looks at (the shared normalizer ignores the rest). */
export const MAX_CHAT_CHARS = 2000;

const MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));
export const DEFAULT_BEHAVIOR_DIR = path.join(MODELS_DIR, 'behavior/v1');
export const DEFAULT_CHAT_DIR = path.join(MODELS_DIR, 'chat/v4');

export type BackendPreference = NonNullable<WorkerInit['backend']>;

export interface InferenceHostOptions {
  /** Worker threads, each with its own copy of both models (env INFERENCE_WORKERS). */
  workers?: number;
  /** Largest batch sent to a worker (env INFERENCE_MAX_BATCH). */
  maxBatch?: number;
  /** Longest a behavior request waits for its batch to fill (env INFERENCE_MAX_WAIT_MS). */
  maxWaitMs?: number;
  /** The same for chat while a chat batch is in flight; with none, a line goes at once (env INFERENCE_CHAT_MAX_WAIT_MS). */
  chatMaxWaitMs?: number;
  /** Requests held per model before the oldest is dropped (env INFERENCE_MAX_QUEUE). */
  maxQueue?: number;
  /** A batch not answered within this is given up and its worker replaced (env INFERENCE_TIMEOUT_MS). */
  batchTimeoutMs?: number;
  /** A worker still loading after this is replaced. */
  startTimeoutMs?: number;
  /** Batches a worker holds at once: one running, one waiting to start. */
  maxInFlightPerWorker?: number;
  /** Delay before the first restart of a failed worker, doubled per consecutive failure up to `restartMaxMs`. */
  restartInitialMs?: number;
  restartMaxMs?: number;
  /** TensorFlow.js backend to start the preference chain at (default: $PULSE_TF_BACKEND, else node-gpu → node → wasm → cpu). */
  backend?: BackendPreference;
  /** Artifact folders; null serves that model as UNAVAILABLE. */
  behaviorDir?: string | null;
  chatDir?: string | null;
  /** Where start-up, crash and restart lines go (default the `inference` log). */
  log?: (line: string) => void;
  /** Allow {@link InferenceHost.hangWorker} (tests). */
  faultInjection?: boolean;
  /** Environment to read INFERENCE_* from (default process.env); explicit options win. */
  env?: NodeJS.ProcessEnv;
}

export type ResolvedInferenceHostOptions = Required<Omit<InferenceHostOptions, 'backend' | 'log' | 'env'>> & {
  backend: BackendPreference | null;
};

/**
 * Defaults, for one 2-core machine serving ~100 rooms × 4 players (one window per player
 * per second ≈ 400 windows/s) plus chat, on wasm (~30k windows/s per worker at batch 32):
 */
export const INFERENCE_DEFAULTS: ResolvedInferenceHostOptions = {
  // One worker: a second one buys ~30 % more throughput but takes a core from the rooms,
  // and one worker already has ~50× the game's load in hand.
  workers: 1,
  // 64 windows ≈ 2 ms of CNN time on wasm: past ~32 the throughput gain is small, and a
  // batch this size keeps a chat message queued behind it waiting only milliseconds.
  maxBatch: 64,
  // A room classifies a window this long plus 100 ms before its director second reads the
  // answer (ArenaRoom's classifyLeadTicks: 6 ticks here), so 200 ms of waiting is invisible — and a CNN
  // call costs about the same for 1 or 16 windows on wasm (2.6 ms vs 2.0 ms measured here),
  // while every call is also a postMessage and an answer on the game thread, so filling
  // batches is most of the inference CPU saved: at 400 players 40 ms gave batches of ~23,
  // 200 ms full ones (64), and the server ~11 % less CPU per client-second in all.
  maxWaitMs: 200,
  // Chat arrives ~100× less often than windows (nothing to gather in 4 ms) and a single
  // message is what a moderator waits for; 1 ms still groups the lines of one tick, and
  // under a burst the batches grow anyway while the worker is busy.
  chatMaxWaitMs: 1,
  // ~2 s of a 2,000 windows/s load: anything older is stale before it could be answered.
  maxQueue: 4096,
  // A 256-message LSTM batch takes ~0.1 s; 2 s leaves room for a loaded machine and still
  // notices a hung worker quickly.
  batchTimeoutMs: 2000,
  startTimeoutMs: 60_000,
  maxInFlightPerWorker: 2,
  restartInitialMs: 250,
  restartMaxMs: 10_000,
  backend: null,
  behaviorDir: DEFAULT_BEHAVIOR_DIR,
  chatDir: DEFAULT_CHAT_DIR,
  faultInjection: false,
};

const ENV_OPTIONS: ReadonlyArray<[string, 'workers' | 'maxBatch' | 'maxWaitMs' | 'chatMaxWaitMs' | 'maxQueue' | 'batchTimeoutMs']> = [
  ['INFERENCE_WORKERS', 'workers'],
  ['INFERENCE_MAX_BATCH', 'maxBatch'],
  ['INFERENCE_MAX_WAIT_MS', 'maxWaitMs'],
  ['INFERENCE_CHAT_MAX_WAIT_MS', 'chatMaxWaitMs'],
  ['INFERENCE_MAX_QUEUE', 'maxQueue'],
  ['INFERENCE_TIMEOUT_MS', 'batchTimeoutMs'],
];

const LIMITS: Record<'workers' | 'maxBatch' | 'maxWaitMs' | 'chatMaxWaitMs' | 'maxQueue' | 'batchTimeoutMs' | 'startTimeoutMs' | 'maxInFlightPerWorker' | 'restartInitialMs' | 'restartMaxMs', [number, number, boolean]> = {
  workers: [1, 16, true],
  maxBatch: [1, 1024, true],
  maxWaitMs: [0, 1000, false],
  chatMaxWaitMs: [0, 1000, false],
  maxQueue: [1, 1_000_000, true],
  batchTimeoutMs: [10, 600_000, false],
  startTimeoutMs: [100, 600_000, false],
  maxInFlightPerWorker: [1, 16, true],
  restartInitialMs: [0, 600_000, false],
  restartMaxMs: [0, 600_000, false],
};

/**
 * Defaults, then INFERENCE_* variables, then explicit options; all validated.
 * @throws RangeError naming the option (or variable) whose value is out of range.
 */
export function resolveInferenceOptions(options: InferenceHostOptions = {}): ResolvedInferenceHostOptions {
  const env = options.env ?? process.env;
  const resolved: ResolvedInferenceHostOptions = { ...INFERENCE_DEFAULTS };
  const check = (key: keyof typeof LIMITS, value: number, source: string): void => {
    const [min, max, integer] = LIMITS[key];
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new RangeError(`${source} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(value)}`);
    }
  };
  for (const [name, key] of ENV_OPTIONS) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    check(key, value, name);
    resolved[key] = value;
  }
  const envBackend = env.PULSE_TF_BACKEND?.trim();
  if (envBackend) resolved.backend = envBackend as BackendPreference;
  for (const key of Object.keys(LIMITS) as Array<keyof typeof LIMITS>) {
    const value = options[key];
    if (value === undefined) continue;
    check(key, value, key);
    resolved[key] = value;
  }
  if (options.backend !== undefined) resolved.backend = options.backend;
  if (resolved.backend !== null && !['node-gpu', 'node', 'wasm', 'cpu'].includes(resolved.backend)) {
    throw new RangeError(`backend must be one of node-gpu, node, wasm, cpu, got ${String(resolved.backend)}`);
  }
  if (options.behaviorDir !== undefined) resolved.behaviorDir = options.behaviorDir;
  if (options.chatDir !== undefined) resolved.chatDir = options.chatDir;
  if (options.faultInjection !== undefined) resolved.faultInjection = options.faultInjection;
  if (resolved.maxQueue < resolved.maxBatch) throw new RangeError(`maxQueue (${resolved.maxQueue}) must be at least maxBatch (${resolved.maxBatch})`);
  return resolved;
}

/** Uniform probabilities over the behavior classes, `scored: false`. */
export function neutralBehaviorScores(): BehaviorScores {
  return { probabilities: new Float32Array(BEHAVIOR_CLASSES.length).fill(1 / BEHAVIOR_CLASSES.length), scored: false };
}

/** Neutral sentiment, not toxic, `scored: false`. */
export function neutralChatScores(): ChatScores {
  return { sentiment: [0, 1, 0], toxicity: 0, scored: false };
}

/** What each model takes and returns through the host and the HTTP API. */
export const MODEL_SIGNATURES: Readonly<Record<ModelName, ModelSignature>> = {
  behavior: {
    inputs: [{ name: 'frames', dtype: 'float32', shape: [-1, FRAME_WINDOW, FRAME_FEATURES] }],
    outputs: [{ name: 'probabilities', dtype: 'float32', shape: [-1, BEHAVIOR_CLASSES.length] }],
  },
  chat: {
    inputs: [{ name: 'text', dtype: 'string', shape: [-1] }],
    outputs: [
      { name: 'sentiment', dtype: 'float32', shape: [-1, SENTIMENT_CLASSES.length] },
      { name: 'toxicity', dtype: 'float32', shape: [-1] },
    ],
  },
};

const MODEL_CLASSES: Readonly<Record<ModelName, readonly string[]>> = {
  behavior: BEHAVIOR_CLASSES,
  chat: [...SENTIMENT_CLASSES, 'toxic'],
};

interface BehaviorRequest { window: Float32Array; at: number; resolve: (scores: BehaviorScores) => void }
interface ChatRequest { text: string; at: number; resolve: (scores: ChatScores) => void }

interface Lane<R> {
  model: ModelName;
  queue: RequestQueue<R>;
  timer: NodeJS.Timeout | null;
  counters: ModelCounters;
}

type InFlight =
  | { model: 'behavior'; requests: BehaviorRequest[]; sentAt: number }
  | { model: 'chat'; requests: ChatRequest[]; sentAt: number };

type ReadyMessage = Extract<WorkerToHost, { type: 'ready' }>;

interface WorkerSlot {
  index: number;
  worker: Worker | null;
  state: 'starting' | 'ready' | 'waiting' | 'closed';
  startedAt: number;
  ready: ReadyMessage | null;
  inFlight: Map<number, InFlight>;
  /** Consecutive failures without a successful batch in between (drives the backoff). */
  failures: number;
  restartTimer: NodeJS.Timeout | null;
  lastError: string | null;
  debugWaiters: Map<number, (debug: WorkerDebug | null) => void>;
}

/** Per-worker debug figures ({@link InferenceHost.debugStatus}). */
export interface WorkerDebugStatus extends WorkerDebug {
  index: number;
}

/** Everything {@link InferenceHost.stats} reports beyond {@link InferenceStatus}. */
export interface InferenceHostStats {
  counters: Record<ModelName, ModelCounters>;
  restarts: number;
  crashes: number;
  timeouts: number;
}

const newCounters = (): ModelCounters => ({ requests: 0, batches: 0, scored: 0, neutral: 0, dropped: 0, maxBatch: 0 });

export class InferenceHost implements InferenceService {
  readonly options: ResolvedInferenceHostOptions;
  private readonly log: (line: string) => void;
  private readonly slots: WorkerSlot[];
  private readonly behaviorLane: Lane<BehaviorRequest> = { model: 'behavior', queue: new RequestQueue(), timer: null, counters: newCounters() };
  private readonly chatLane: Lane<ChatRequest> = { model: 'chat', queue: new RequestQueue(), timer: null, counters: newCounters() };
  private readonly watchdog: NodeJS.Timeout;
  private nextBatchId = 1;
  private nextDebugId = 1;
  private restarts = 0;
  private crashes = 0;
  private timeouts = 0;
  private closed = false;
  private announced = false;
  /** Last model info and backend any worker reported (kept while workers restart). */
  private lastModels: Partial<Record<ModelName, WorkerModelInfo>> = {};
  private lastBackend: string | null = null;
  private readyWaiters: Array<() => void> = [];

  /** @throws RangeError on out-of-range options or INFERENCE_* variables (see {@link resolveInferenceOptions}). */
  constructor(options: InferenceHostOptions = {}) {
    this.options = resolveInferenceOptions(options);
    this.log = options.log ?? ((line) => inferenceLog.info(line));
    this.slots = Array.from({ length: this.options.workers }, (_, index) => ({
      index, worker: null, state: 'waiting', startedAt: 0, ready: null, inFlight: new Map(), failures: 0,
      restartTimer: null, lastError: null, debugWaiters: new Map(),
    }));
    for (const slot of this.slots) this.startWorker(slot);
    const every = Math.max(5, Math.min(250, this.options.batchTimeoutMs / 4));
    this.watchdog = setInterval(() => this.checkTimeouts(), every);
    this.watchdog.unref();
  }

  get behaviorWaitMs(): number {
    return this.options.maxWaitMs;
  }

  /**
   * Classifies one behavior window (FRAME_WINDOW × FRAME_FEATURES floats, oldest frame
   * first). The array is read when its batch is sent: do not modify it until the promise
   * settles (`FrameRing.latest()` returns a fresh one). A window of the wrong length gets
   * a neutral answer. Never rejects.
   */
  classifyBehavior(window: Float32Array): Promise<BehaviorScores> {
    const lane = this.behaviorLane;
    lane.counters.requests++;
    if (this.closed || !(window instanceof Float32Array) || window.length !== WINDOW_FLOATS || !this.servable('behavior')) {
      lane.counters.neutral++;
      return Promise.resolve(neutralBehaviorScores());
    }
    return new Promise((resolve) => this.enqueue(lane, { window, at: performance.now(), resolve }, neutralBehaviorScores));
  }

  /** Scores one chat message (raw text; normalised and tokenised in the worker). Never rejects. */
  scoreChat(text: string): Promise<ChatScores> {
    const lane = this.chatLane;
    lane.counters.requests++;
    if (this.closed || typeof text !== 'string' || !this.servable('chat')) {
      lane.counters.neutral++;
      return Promise.resolve(neutralChatScores());
    }
    const bounded = text.length > MAX_CHAT_CHARS ? text.slice(0, MAX_CHAT_CHARS) : text;
    return new Promise((resolve) => this.enqueue(lane, { text: bounded, at: performance.now(), resolve }, neutralChatScores));
  }

  status(): InferenceStatus {
    const ready = this.slots.filter((s) => s.state === 'ready');
    const models: ModelStatus[] = (['behavior', 'chat'] as const).map((name) => {
      const info = ready.map((s) => s.ready!.models.find((m) => m.name === name)).find((m) => m?.available)
        ?? this.lastModels[name];
      const dir = name === 'behavior' ? this.options.behaviorDir : this.options.chatDir;
      const available = this.servable(name);
      const status: ModelStatus = {
        name,
        version: info?.version ?? (dir ? path.basename(dir).replace(/^v/, '') : '0'),
        state: available ? 'AVAILABLE' : 'UNAVAILABLE',
        classes: MODEL_CLASSES[name],
        signature: MODEL_SIGNATURES[name],
      };
      if (!available) {
        status.error = info && !info.available
          ? info.error ?? 'not loaded'
          : this.closed ? 'inference host closed' : 'no inference worker ready (starting or restarting)';
      }
      return status;
    });
    return {
      backend: ready[0]?.ready!.backend ?? this.lastBackend,
      models,
      restarts: this.restarts,
      queued: this.behaviorLane.queue.length + this.chatLane.queue.length,
      workers: { total: this.slots.length, ready: ready.length },
      counters: { behavior: { ...this.behaviorLane.counters }, chat: { ...this.chatLane.counters } },
    };
  }

  /** Counters since start: per model, worker restarts, crashes and batch timeouts. */
  stats(): InferenceHostStats {
    return {
      counters: { behavior: { ...this.behaviorLane.counters }, chat: { ...this.chatLane.counters } },
      restarts: this.restarts,
      crashes: this.crashes,
      timeouts: this.timeouts,
    };
  }

  /**
   * Resolves true once at least one worker is ready (its models loaded and warmed up), or
   * false after `timeoutMs` or on close. The host answers (neutrally) before that too.
   */
  ready(timeoutMs = 60_000): Promise<boolean> {
    if (this.slots.some((s) => s.state === 'ready')) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(!this.closed);
      };
      this.readyWaiters.push(done);
    });
  }

  /** Tensor counts and batches run, per ready worker (asks each worker; null for one that does not answer in 1 s). */
  async debugStatus(): Promise<Array<WorkerDebugStatus | null>> {
    return Promise.all(this.slots.map((slot) => new Promise<WorkerDebugStatus | null>((resolve) => {
      if (slot.state !== 'ready' || !slot.worker) {
        resolve(null);
        return;
      }
      const id = this.nextDebugId++;
      const timer = setTimeout(() => {
        slot.debugWaiters.delete(id);
        resolve(null);
      }, 1000);
      slot.debugWaiters.set(id, (debug) => {
        clearTimeout(timer);
        resolve(debug ? { index: slot.index, ...debug } : null);
      });
      this.post(slot, { type: 'debug', id });
    })));
  }

  /**
   * Fault injection: terminates worker `index` as a crash would (its in-flight requests get
   * neutral answers, and it is replaced after the backoff). Resolves once it has exited.
   */
  async terminateWorker(index = 0): Promise<void> {
    const worker = this.slots[index]?.worker;
    if (worker) await worker.terminate();
  }

  /** Fault injection (only with `faultInjection: true`): blocks worker `index`'s thread for `ms`. */
  hangWorker(index: number, ms: number): void {
    if (!this.options.faultInjection) throw new Error('hangWorker needs the faultInjection option');
    const slot = this.slots[index];
    if (slot) this.post(slot, { type: 'hang', ms });
  }

  /** Answers everything pending with neutral outputs and stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    for (const lane of [this.behaviorLane, this.chatLane]) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = null;
    }
    this.answerNeutral(this.behaviorLane, this.behaviorLane.queue.drain(), neutralBehaviorScores);
    this.answerNeutral(this.chatLane, this.chatLane.queue.drain(), neutralChatScores);
    const exits: Array<Promise<number>> = [];
    for (const slot of this.slots) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      slot.restartTimer = null;
      this.failInFlight(slot);
      slot.state = 'closed';
      if (slot.worker) exits.push(slot.worker.terminate());
      slot.worker = null;
    }
    for (const waiter of this.readyWaiters) waiter();
    this.readyWaiters = [];
    await Promise.allSettled(exits);
  }

  // ---- queues and batches ----

  /** Some ready worker has this model loaded. */
  private servable(model: ModelName): boolean {
    return this.slots.some((s) => s.state === 'ready' && s.ready!.models.some((m) => m.name === model && m.available));
  }

  private enqueue<R extends { at: number; resolve: (v: never) => void }>(lane: Lane<R>, request: R, neutral: () => unknown): void {
    if (lane.queue.length >= this.options.maxQueue) {
      const oldest = lane.queue.shift()!;
      lane.counters.dropped++;
      lane.counters.neutral++;
      (oldest.resolve as (v: unknown) => void)(neutral());
    }
    lane.queue.push(request);
    if (lane.timer === null || lane.queue.length >= this.options.maxBatch) this.pump(lane.model);
  }

  /** Sends every batch that is due to a worker with room for it; arms the wait timer otherwise. */
  private pump(model: ModelName): void {
    const lane = model === 'behavior' ? this.behaviorLane : this.chatLane;
    if (lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = null;
    }
    while (lane.queue.length > 0) {
      if (!this.servable(lane.model)) {
        if (lane.model === 'behavior') this.answerNeutral(this.behaviorLane, this.behaviorLane.queue.drain(), neutralBehaviorScores);
        else this.answerNeutral(this.chatLane, this.chatLane.queue.drain(), neutralChatScores);
        return;
      }
      const waited = performance.now() - lane.queue.peek()!.at;
      const maxWait = model === 'behavior' ? this.options.maxWaitMs : this.options.chatMaxWaitMs;
      // Chat is latency-bound (a player waits for the line to show): with no chat batch out,
      // it goes at once; while one is out, lines gather for the next (batches form under load).
      const gather = model === 'behavior' || this.hasInFlight('chat');
      if (gather && lane.queue.length < this.options.maxBatch && waited < maxWait) {
        lane.timer = setTimeout(() => this.pump(model), maxWait - waited);
        return;
      }
      const slot = this.pickWorker(lane.model);
      // Every worker is full: the next answer (or the watchdog) pumps again.
      if (!slot) return;
      if (lane.model === 'behavior') this.sendBehavior(slot, this.behaviorLane.queue.take(this.options.maxBatch));
      else this.sendChat(slot, this.chatLane.queue.take(this.options.maxBatch));
    }
  }

  private pumpAll(): void {
    this.pump('behavior');
    this.pump('chat');
  }

  private hasInFlight(model: ModelName): boolean {
    for (const s of this.slots) for (const f of s.inFlight.values()) if (f.model === model) return true;
    return false;
  }

  /** The ready worker with the model and the fewest batches in flight, if any has room. */
  private pickWorker(model: ModelName): WorkerSlot | null {
    let best: WorkerSlot | null = null;
    for (const s of this.slots) {
      if (s.state !== 'ready' || s.inFlight.size >= this.options.maxInFlightPerWorker) continue;
      if (!s.ready!.models.some((m) => m.name === model && m.available)) continue;
      if (!best || s.inFlight.size < best.inFlight.size) best = s;
    }
    return best;
  }

  private sendBehavior(slot: WorkerSlot, requests: BehaviorRequest[]): void {
    const batch = this.nextBatchId++;
    const windows = new Float32Array(requests.length * WINDOW_FLOATS);
    requests.forEach((r, i) => windows.set(r.window, i * WINDOW_FLOATS));
    this.track(slot, batch, { model: 'behavior', requests, sentAt: performance.now() }, this.behaviorLane);
    this.post(slot, { type: 'behavior', batch, count: requests.length, windows }, [windows.buffer]);
  }

  private sendChat(slot: WorkerSlot, requests: ChatRequest[]): void {
    const batch = this.nextBatchId++;
    this.track(slot, batch, { model: 'chat', requests, sentAt: performance.now() }, this.chatLane);
    this.post(slot, { type: 'chat', batch, texts: requests.map((r) => r.text) });
  }

  private track(slot: WorkerSlot, batch: number, flight: InFlight, lane: Lane<unknown>): void {
    slot.inFlight.set(batch, flight);
    lane.counters.batches++;
    lane.counters.maxBatch = Math.max(lane.counters.maxBatch, flight.requests.length);
    inferenceBatchSize.observe({ model: flight.model }, flight.requests.length);
  }

  private post(slot: WorkerSlot, message: HostToWorker, transfer: ArrayBuffer[] = []): void {
    try {
      slot.worker?.postMessage(message, transfer);
    } catch (err) {
      // Only possible while the worker is going away: its exit handler answers the batch.
      slot.lastError = err instanceof Error ? err.message : String(err);
    }
  }

  private answerNeutral<R extends { resolve: (v: never) => void }>(lane: Lane<R>, requests: R[], neutral: () => unknown): void {
    lane.counters.neutral += requests.length;
    for (const r of requests) (r.resolve as (v: unknown) => void)(neutral());
  }

  private failInFlight(slot: WorkerSlot): void {
    for (const flight of slot.inFlight.values()) {
      if (flight.model === 'behavior') this.answerNeutral(this.behaviorLane, flight.requests, neutralBehaviorScores);
      else this.answerNeutral(this.chatLane, flight.requests, neutralChatScores);
    }
    slot.inFlight.clear();
    for (const waiter of slot.debugWaiters.values()) waiter(null);
    slot.debugWaiters.clear();
  }

  private onResult(slot: WorkerSlot, msg: Extract<WorkerToHost, { type: 'behavior' | 'chat' | 'failed' }>): void {
    const flight = slot.inFlight.get(msg.batch);
    if (!flight) return;
    slot.inFlight.delete(msg.batch);
    if (msg.type === 'failed') {
      this.log(`inference: worker ${slot.index} refused a ${flight.model} batch: ${msg.message}`);
      if (flight.model === 'behavior') this.answerNeutral(this.behaviorLane, flight.requests, neutralBehaviorScores);
      else this.answerNeutral(this.chatLane, flight.requests, neutralChatScores);
    } else if (msg.type === 'behavior' && flight.model === 'behavior') {
      slot.failures = 0;
      const k = BEHAVIOR_CLASSES.length;
      this.behaviorLane.counters.scored += flight.requests.length;
      observeLatency('behavior', flight.requests);
      flight.requests.forEach((r, i) => r.resolve({ probabilities: msg.probabilities.slice(i * k, (i + 1) * k), scored: true }));
    } else if (msg.type === 'chat' && flight.model === 'chat') {
      slot.failures = 0;
      const k = SENTIMENT_CLASSES.length;
      const s = msg.sentiment;
      this.chatLane.counters.scored += flight.requests.length;
      observeLatency('chat', flight.requests);
      flight.requests.forEach((r, i) => r.resolve({
        sentiment: [s[i * k]!, s[i * k + 1]!, s[i * k + 2]!], toxicity: msg.toxicity[i]!, scored: true,
      }));
    }
    this.pumpAll();
  }

  // ---- workers ----

  private startWorker(slot: WorkerSlot): void {
    slot.restartTimer = null;
    if (this.closed) return;
    slot.state = 'starting';
    slot.startedAt = performance.now();
    slot.ready = null;
    slot.lastError = null;
    const init: WorkerInit = {
      backend: this.options.backend,
      behaviorDir: this.options.behaviorDir,
      chatDir: this.options.chatDir,
      faultInjection: this.options.faultInjection,
    };
    let worker: Worker;
    try {
      worker = spawnModuleWorker(new URL('./worker.ts', import.meta.url), init, 'pulse-inference');
    } catch (err) {
      slot.lastError = err instanceof Error ? err.message : String(err);
      this.retire(slot, `could not start: ${slot.lastError}`);
      return;
    }
    slot.worker = worker;
    worker.on('message', (msg: WorkerToHost) => {
      if (slot.worker === worker) this.onWorkerMessage(slot, msg);
    });
    worker.on('error', (err) => {
      if (slot.worker === worker) slot.lastError = err instanceof Error ? err.message : String(err);
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker || this.closed) return;
      this.crashes++;
      this.retire(slot, `exited (code ${code})${slot.lastError ? `: ${slot.lastError}` : ''}`);
    });
  }

  private onWorkerMessage(slot: WorkerSlot, msg: WorkerToHost): void {
    switch (msg.type) {
      case 'ready':
        this.onReady(slot, msg);
        return;
      case 'fatal':
        slot.lastError = msg.message;
        return;
      case 'debug': {
        const waiter = slot.debugWaiters.get(msg.id);
        slot.debugWaiters.delete(msg.id);
        waiter?.({ numTensors: msg.numTensors, numBytes: msg.numBytes, batches: msg.batches });
        return;
      }
      default:
        this.onResult(slot, msg);
    }
  }

  private onReady(slot: WorkerSlot, msg: ReadyMessage): void {
    slot.state = 'ready';
    slot.ready = msg;
    this.lastBackend = msg.backend;
    for (const m of msg.models) this.lastModels[m.name] = m;
    const models = msg.models
      .map((m) => `${m.name} v${m.version} ${m.available ? `AVAILABLE${m.note ? ` (${m.note})` : ''}` : `UNAVAILABLE (${m.error ?? 'not loaded'})`}`)
      .join('; ');
    const backend = `${msg.backend}${msg.simd === null ? '' : msg.simd ? ' (SIMD)' : ' (no SIMD)'}`;
    if (!this.announced) {
      this.announced = true;
      this.log(`inference: backend ${backend}, ${this.slots.length} worker(s), ready in ${msg.startMs} ms; ${models}`);
    } else if (slot.failures > 0) {
      this.log(`inference: worker ${slot.index} is back (backend ${backend}, ${msg.startMs} ms)`);
    }
    for (const waiter of this.readyWaiters) waiter();
    this.readyWaiters = [];
    this.pumpAll();
  }

  /** Replaces a crashed, hung or unstartable worker after the backoff; its requests get neutral answers now. */
  private retire(slot: WorkerSlot, reason: string): void {
    const worker = slot.worker;
    slot.worker = null;
    slot.state = 'waiting';
    slot.ready = null;
    this.failInFlight(slot);
    if (worker) {
      worker.removeAllListeners();
      worker.on('error', () => undefined);
      void worker.terminate();
    }
    if (this.closed) return;
    const delay = Math.min(this.options.restartMaxMs, this.options.restartInitialMs * 2 ** slot.failures);
    slot.failures++;
    this.log(`inference: worker ${slot.index} ${reason}; restarting in ${Math.round(delay)} ms`);
    slot.restartTimer = setTimeout(() => {
      this.restarts++;
      this.startWorker(slot);
    }, delay);
    slot.restartTimer.unref();
    this.pumpAll();
  }

  private checkTimeouts(): void {
    const now = performance.now();
    for (const slot of this.slots) {
      if (slot.state === 'starting' && now - slot.startedAt > this.options.startTimeoutMs) {
        this.retire(slot, `did not start within ${this.options.startTimeoutMs} ms`);
        continue;
      }
      if (slot.state !== 'ready') continue;
      for (const flight of slot.inFlight.values()) {
        if (now - flight.sentAt > this.options.batchTimeoutMs) {
          this.timeouts++;
          this.retire(slot, `did not answer a ${flight.model} batch within ${this.options.batchTimeoutMs} ms`);
          break;
        }
      }
    }
  }
}

/** Request → answer time of each request in a scored batch, for /metrics. */
function observeLatency(model: ModelName, requests: ReadonlyArray<{ at: number }>): void {
  const now = performance.now();
  for (const r of requests) inferenceLatency.observe({ model }, (now - r.at) / 1000);
}

/**
 * The seam between the game server and its models. Rooms and HTTP routes depend on this
 * interface only; `InferenceHost` (worker threads, micro-batching across all rooms)
 * implements it. Nothing here ever blocks a tick: every call returns a promise, and a
 * model that is missing, slow or crashed answers with neutral outputs instead of failing.
 */

/** Names of the served models (also the names in the model-serving HTTP API). */
export type ModelName = 'behavior' | 'chat';

/** Sentiment classes of the chat model, in output order. */
export const SENTIMENT_CLASSES = ['negative', 'neutral', 'positive'] as const;
export type Sentiment = (typeof SENTIMENT_CLASSES)[number];

export interface ChatScores {
  /** Probabilities over {@link SENTIMENT_CLASSES}. */
  sentiment: [number, number, number];
  /** Probability that the message is toxic, 0–1. */
  toxicity: number;
  /** False when the model could not answer and these are neutral placeholders. */
  scored: boolean;
}

export interface BehaviorScores {
  /** Probabilities over the behavior classes (see `classes` in {@link ModelStatus}). */
  probabilities: Float32Array;
  /** False when the model could not answer and these are neutral placeholders (uniform). */
  scored: boolean;
}

export interface ModelStatus {
  name: ModelName;
  version: string;
  /** 'AVAILABLE' once loaded in the worker; 'UNAVAILABLE' while starting, restarting or missing. */
  state: 'AVAILABLE' | 'UNAVAILABLE';
  /** Output class names (behavior styles, or sentiment classes + toxic for chat). */
  classes: readonly string[];
  /** Why the model is UNAVAILABLE (e.g. its artifact is missing), when known. */
  error?: string;
  /** What the model takes and returns, as the model-serving API shows it. */
  signature?: ModelSignature;
}

/** One named input or output of a served model; -1 in `shape` is the batch dimension. */
export interface TensorSpec {
  name: string;
  dtype: 'float32' | 'int32' | 'string';
  shape: number[];
}

export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** Running totals for one model since start (an implementation may report them). */
export interface ModelCounters {
  /** Calls to classifyBehavior / scoreChat. */
  requests: number;
  /** Batches sent to a worker. */
  batches: number;
  /** Answers that came from the model. */
  scored: number;
  /** Neutral answers (`scored: false`): no worker ready, worker crashed or timed out, queue overflow. */
  neutral: number;
  /** Requests dropped from a full queue (a subset of `neutral`). */
  dropped: number;
  /** Largest batch sent so far. */
  maxBatch: number;
}

export interface InferenceStatus {
  /** TensorFlow.js backend the worker chose ('tensorflow' for tfjs-node(-gpu), 'wasm', 'cpu'), or null before it started. */
  backend: string | null;
  models: ModelStatus[];
  /** Worker restarts since start (a crashed worker is replaced). */
  restarts: number;
  /** Requests waiting for a batch. */
  queued: number;
  /** Worker threads: configured and currently ready (optional detail). */
  workers?: { total: number; ready: number };
  /** Per-model running totals (optional detail). */
  counters?: Record<ModelName, ModelCounters>;
}

export interface InferenceService {
  /** Classifies one behavior window (FRAME_WINDOW × FRAME_FEATURES floats, oldest frame first). Never rejects. */
  classifyBehavior(window: Float32Array): Promise<BehaviorScores>;
  /** Scores one chat message (raw text; normalised and tokenised in the worker). Never rejects. */
  scoreChat(text: string): Promise<ChatScores>;
  /**
   * Longest a behavior window may wait for its batch before it is sent (ms): a room
   * classifies that far (plus the model's time) ahead of the director second that reads it.
   */
  readonly behaviorWaitMs: number;
  status(): InferenceStatus;
  close(): Promise<void>;
}

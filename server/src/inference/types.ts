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
}

export interface InferenceStatus {
  /** TensorFlow.js backend the worker chose ('tensorflow' for tfjs-node(-gpu), 'wasm', 'cpu'), or null before it started. */
  backend: string | null;
  models: ModelStatus[];
  /** Worker restarts since start (a crashed worker is replaced). */
  restarts: number;
  /** Requests waiting for a batch. */
  queued: number;
}

export interface InferenceService {
  /** Classifies one behavior window (FRAME_WINDOW × FRAME_FEATURES floats, oldest frame first). Never rejects. */
  classifyBehavior(window: Float32Array): Promise<BehaviorScores>;
  /** Scores one chat message (raw text; normalised and tokenised in the worker). Never rejects. */
  scoreChat(text: string): Promise<ChatScores>;
  status(): InferenceStatus;
  close(): Promise<void>;
}

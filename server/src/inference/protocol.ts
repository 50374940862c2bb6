/**
 * Messages between the inference host (main thread) and its worker threads. One file so
 * both ends agree; nothing here imports TensorFlow.
 *
 * Behavior batches travel as ONE Float32Array per batch whose buffer is transferred (not
 * copied) each way. Chat batches travel as an array of strings (a few hundred bytes per
 * message; tokenising them is the worker's job, off the game's thread).
 */
import type { ModelName } from './types.js';

/** `workerData` of a worker thread. */
export interface WorkerInit {
  /** Where `initBackend`'s preference chain starts (null: the full order node-gpu → node → wasm → cpu). */
  backend: 'node-gpu' | 'node' | 'wasm' | 'cpu' | null;
  /** Artifact folders; null leaves that model unloaded. */
  behaviorDir: string | null;
  chatDir: string | null;
  /** Accept the `hang` message (tests of the host's timeout). */
  faultInjection: boolean;
}

export type HostToWorker =
  /** `windows` holds `count` windows of FRAME_WINDOW × FRAME_FEATURES floats, transferred. */
  | { type: 'behavior'; batch: number; count: number; windows: Float32Array }
  | { type: 'chat'; batch: number; texts: string[] }
  | { type: 'debug'; id: number }
  /** Fault injection: block the worker's thread for `ms`. */
  | { type: 'hang'; ms: number };

/** What a worker says about one model after loading. */
export interface WorkerModelInfo {
  name: ModelName;
  /** From the artifact's metadata ("1" for v1), or the folder name. */
  version: string;
  available: boolean;
  /** Why it is not available. */
  error?: string;
  /** Output classes in the order the worker returns them. */
  classes: string[];
  /** How it runs, for the start-up log (e.g. whether chat runs as its lean forward pass). */
  note?: string;
}

export interface WorkerDebug {
  /** tf.memory().numTensors: flat over time unless something leaks. */
  numTensors: number;
  numBytes: number;
  /** Batches run since the worker started. */
  batches: number;
}

export type WorkerToHost =
  | { type: 'ready'; backend: string; simd: boolean | null; models: WorkerModelInfo[]; startMs: number }
  /** The worker could not start (e.g. no backend); it exits after sending this. */
  | { type: 'fatal'; message: string }
  /** Row-major [count × classes] probabilities, transferred. */
  | { type: 'behavior'; batch: number; probabilities: Float32Array }
  /** `sentiment` row-major [n × 3] in SENTIMENT_CLASSES order, `toxicity` [n]; both transferred. */
  | { type: 'chat'; batch: number; sentiment: Float32Array; toxicity: Float32Array }
  /** A batch the model refused (bad input); its callers get neutral answers. */
  | { type: 'failed'; batch: number; message: string }
  | ({ type: 'debug'; id: number } & WorkerDebug);

/**
 * Picks and initialises the TensorFlow.js backend, in the project's order of preference:
 *
 *   node-gpu (@tensorflow/tfjs-node-gpu) → node (@tensorflow/tfjs-node) → wasm → cpu
 *
 * The two native packages are optional: they download libtensorflow at install time, so
 * they are never dependencies here; when one is installed it is imported dynamically and
 * used, when not the import fails quietly and the next choice is tried. The wasm backend
 * is a real dependency and the default in practice: SIMD on, multithreading off in Node
 * (one thread per worker — run several workers to use several cores).
 *
 * Node-only (reads the wasm binaries from node_modules by file path).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from './wasmKernels.js';

/** A backend choice, named by where it comes from. */
export type BackendChoice = 'node-gpu' | 'node' | 'wasm' | 'cpu';

/** The full preference order used when nothing is asked for. */
export const BACKEND_ORDER: readonly BackendChoice[] = ['node-gpu', 'node', 'wasm', 'cpu'];

/** Environment variable that overrides the default choice, e.g. `PULSE_TF_BACKEND=cpu`. */
export const BACKEND_ENV = 'PULSE_TF_BACKEND';

const NATIVE_PACKAGES: Readonly<Record<'node-gpu' | 'node', string>> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
};

/** What {@link describeBackend} reports, for logs and the metrics endpoint. */
export interface BackendInfo {
  /** tfjs backend name: 'tensorflow' (either native package), 'wasm' or 'cpu'. */
  name: string;
  /** The choice that produced it. */
  choice: BackendChoice | null;
  /** wasm only: SIMD in use. */
  simd?: boolean;
  /** wasm only: multithreaded build in use (false in Node). */
  threads?: boolean;
}

let chosen: BackendChoice | null = null;

function isChoice(s: string): s is BackendChoice {
  return (BACKEND_ORDER as readonly string[]).includes(s);
}

/** Absolute path (with trailing separator) of the folder holding the .wasm binaries. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

async function tryChoice(choice: BackendChoice): Promise<boolean> {
  if (choice === 'node-gpu' || choice === 'node') {
    const spec = NATIVE_PACKAGES[choice];
    try {
      // A variable specifier keeps TypeScript (and bundlers) from resolving a package
      // that is deliberately not installed.
      await import(spec);
    } catch {
      return false;
    }
    return tf.setBackend('tensorflow');
  }
  if (choice === 'wasm') {
    registerWasmGradientKernels();
    if (!tf.findBackend('wasm')) {
      // Must happen before the backend's first initialisation; later it throws.
      setWasmPaths(wasmBinaryDir());
    }
  }
  try {
    return await tf.setBackend(choice);
  } catch {
    return false;
  }
}

/**
 * Initialises the best available backend and makes it current.
 *
 * @param prefer a single choice starts the preference chain there (e.g. `'wasm'` tries
 *   wasm, then cpu; `'cpu'` only cpu); a list is tried exactly, in its order. Without
 *   it, `$PULSE_TF_BACKEND` (a single choice) or the full {@link BACKEND_ORDER}.
 * @returns the tfjs backend name now in use ('tensorflow', 'wasm' or 'cpu').
 * @throws Error if `prefer` (or the environment variable) names an unknown backend, or
 *   if no candidate could be initialised.
 */
export async function initBackend(prefer?: BackendChoice | readonly BackendChoice[]): Promise<string> {
  let candidates: readonly BackendChoice[];
  const requested = prefer ?? process.env[BACKEND_ENV] ?? undefined;
  if (requested === undefined || requested === '') {
    candidates = BACKEND_ORDER;
  } else if (typeof requested === 'string') {
    if (!isChoice(requested)) {
      throw new Error(`unknown backend '${requested}' (expected one of ${BACKEND_ORDER.join(', ')})`);
    }
    candidates = BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(requested));
  } else {
    for (const c of requested) {
      if (!isChoice(c)) throw new Error(`unknown backend '${String(c)}' (expected one of ${BACKEND_ORDER.join(', ')})`);
    }
    candidates = requested;
  }
  for (const choice of candidates) {
    if (await tryChoice(choice)) {
      await tf.ready();
      chosen = choice;
      return tf.getBackend();
    }
  }
  throw new Error(`no TensorFlow.js backend could be initialised (tried ${candidates.join(', ')})`);
}

/** The backend in use and, for wasm, whether SIMD and threads are on. */
export async function describeBackend(): Promise<BackendInfo> {
  const name = tf.getBackend();
  const info: BackendInfo = { name, choice: chosen };
  if (name === 'wasm') {
    info.simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    info.threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  }
  return info;
}

/**
 * The shared TensorFlow.js runtime for every model in the project (behavior CNN, chat
 * LSTM) and for the inference host: one tfjs instance, one backend choice, one artifact
 * format, one source of seeded randomness.
 *
 * ```ts
 * import { tf, initBackend, loadModel } from '../runtime/index.js';
 * await initBackend();                 // 'tensorflow' | 'wasm' | 'cpu'
 * const model = await loadModel('models/behavior/v1');
 * ```
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export {
  BACKEND_ENV, BACKEND_ORDER, describeBackend, initBackend, wasmBinaryDir,
  type BackendChoice, type BackendInfo,
} from './backend.js';
export { registerWasmGradientKernels, WASM_GRADIENT_KERNELS } from './wasmKernels.js';
export {
  loadModel, loadModelArtifacts, MODEL_JSON, readModelMetadata, saveModel,
  WEIGHTS_BIN, type SavedModelInfo,
} from './io.js';
export { createRng, hashSeed, type Rng } from './rng.js';
export { ProgressBar, type ProgressBarOptions, type ProgressStream } from './progress.js';

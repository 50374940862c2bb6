/**
 * Inference for the behavior model: load a versioned artifact folder once, then classify
 * windows of input frames (as `FrameRing.latest(FRAME_WINDOW)` returns them) in batches.
 * Every call cleans up its tensors, so a long-running inference host does not leak.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FRAME_FEATURES, FRAME_WINDOW } from '@pulse-arena/shared';
import { loadModel, tf } from '../runtime/index.js';
import { BEHAVIOR_CLASSES, type BehaviorStyle } from './classes.js';

/** Floats in one window. */
export const WINDOW_FLOATS = FRAME_WINDOW * FRAME_FEATURES;

/** Largest batch sent to the backend at once (bounds memory for huge requests). */
const MAX_BATCH = 512;

export interface BehaviorPrediction {
  style: BehaviorStyle;
  confidence: number;
  /** Probability per class, in BEHAVIOR_CLASSES order. */
  probabilities: number[];
}

export class BehaviorClassifier {
  private disposed = false;

  /** @throws Error if the model's input or output shape does not match the frame encoding and classes. */
  constructor(readonly model: tf.LayersModel) {
    const inShape = model.inputs[0]?.shape;
    const outShape = model.outputs[0]?.shape;
    if (!inShape || inShape[1] !== FRAME_WINDOW || inShape[2] !== FRAME_FEATURES) {
      throw new Error(`behavior model expects input [batch, ${FRAME_WINDOW}, ${FRAME_FEATURES}], got ${JSON.stringify(inShape)}`);
    }
    if (!outShape || outShape[1] !== BEHAVIOR_CLASSES.length) {
      throw new Error(`behavior model must output ${BEHAVIOR_CLASSES.length} classes, got ${JSON.stringify(outShape)}`);
    }
  }

  /** Loads `dir` (model.json + weights.bin) and checks it against the class list in its metadata.json, if any. */
  static async load(dir: string): Promise<BehaviorClassifier> {
    const model = await loadModel(dir);
    try {
      const meta = JSON.parse(await readFile(path.join(dir, 'metadata.json'), 'utf8')) as { classes?: string[] };
      if (meta.classes && meta.classes.join() !== BEHAVIOR_CLASSES.join()) {
        throw new Error(`${dir} was trained for classes [${meta.classes.join(', ')}], this code expects [${BEHAVIOR_CLASSES.join(', ')}]`);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        model.dispose();
        throw err;
      }
    }
    return new BehaviorClassifier(model);
  }

  /**
   * Class probabilities for `count` windows packed in `windows` (count × FRAME_WINDOW ×
   * FRAME_FEATURES floats), row-major [count × classes].
   * @throws RangeError if the buffer is not a whole number of windows.
   */
  predict(windows: Float32Array): Float32Array {
    if (this.disposed) throw new Error('classifier has been disposed');
    if (windows.length === 0 || windows.length % WINDOW_FLOATS !== 0) {
      throw new RangeError(`expected a multiple of ${WINDOW_FLOATS} floats (${FRAME_WINDOW}×${FRAME_FEATURES} per window), got ${windows.length}`);
    }
    const count = windows.length / WINDOW_FLOATS;
    const k = BEHAVIOR_CLASSES.length;
    const out = new Float32Array(count * k);
    for (let start = 0; start < count; start += MAX_BATCH) {
      const n = Math.min(MAX_BATCH, count - start);
      const probs = tf.tidy(() => {
        const x = tf.tensor3d(windows.subarray(start * WINDOW_FLOATS, (start + n) * WINDOW_FLOATS), [n, FRAME_WINDOW, FRAME_FEATURES]);
        return (this.model.predict(x) as tf.Tensor).dataSync() as Float32Array;
      });
      out.set(probs, start * k);
    }
    return out;
  }

  /** Most likely style, its probability and all probabilities, per window. */
  classify(windows: Float32Array): BehaviorPrediction[] {
    const probs = this.predict(windows);
    const k = BEHAVIOR_CLASSES.length;
    const result: BehaviorPrediction[] = [];
    for (let i = 0; i < probs.length / k; i++) {
      const p = Array.from(probs.subarray(i * k, (i + 1) * k));
      let best = 0;
      for (let c = 1; c < k; c++) if (p[c]! > p[best]!) best = c;
      result.push({ style: BEHAVIOR_CLASSES[best]!, confidence: p[best]!, probabilities: p });
    }
    return result;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}

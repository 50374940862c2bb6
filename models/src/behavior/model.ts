/**
 * The behavior model: a small 1-D CNN over one window of input frames
 * ([FRAME_WINDOW ticks × FRAME_FEATURES]) → softmax over {@link BEHAVIOR_CLASSES}.
 *
 * Conv blocks see local patterns (a dash-and-turn, a burst of fire, an aim snap). The first
 * steps four ticks at a time (its 5-tick kernel still reads every tick, so a one-tick snap
 * is not skipped), max pooling halves the time axis between blocks, and the head pools over
 * the whole window twice: the average says "how much of the time" (moving, firing, near pickups), the max
 * says "did it ever happen" (a one-tick aim snap onto an enemy is what gives an aimbot away).
 */
import { FRAME_FEATURES, FRAME_WINDOW } from '@pulse-arena/shared';
import { tf } from '../runtime/index.js';
import { BEHAVIOR_CLASSES } from './classes.js';

export { BEHAVIOR_CLASSES, type BehaviorStyle } from './classes.js';

export interface BehaviorModelOptions {
  /** Ticks per window (default FRAME_WINDOW). */
  windowTicks?: number;
  /** Features per tick (default FRAME_FEATURES). */
  features?: number;
  /** Output classes (default BEHAVIOR_CLASSES.length). */
  classes?: number;
  /** Filters of each conv block, in order (default [24, 32, 48]); one max-pool between blocks. */
  filters?: readonly number[];
  /** Stride of the first conv block in ticks, at most the kernel size (default 4, or the kernel size if smaller). */
  firstStride?: number;
  /** Conv kernel size in ticks, odd (default 5). */
  kernelSize?: number;
  /** Units of the hidden dense layer (default 32). */
  denseUnits?: number;
  /** Seed of the weight initialisers, for reproducible training (default 1). */
  seed?: number;
}

/**
 * Sizes chosen for serving cost, measured at batch 32 on one wasm thread (this machine's
 * figures vary ±25 % from run to run): [24, 32, 48] with a first stride of 4 runs 26–33k
 * windows/s, at stride 2 13–18k, [32, 48, 64] at stride 1 ~11k — with room to spare on accuracy.
 */
const DEFAULTS = {
  filters: [24, 32, 48] as readonly number[],
  firstStride: 4,
  kernelSize: 5,
  denseUnits: 32,
  seed: 1,
};

function requirePositiveInt(name: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value <= 0 || value > max) {
    throw new RangeError(`${name} must be an integer in [1, ${max}], got ${value}`);
  }
}

/**
 * Builds the (uncompiled) behavior model. Training code supplies its own optimizer.
 * @throws RangeError for non-integer, non-positive or inconsistent sizes (an even kernel,
 *   a window too short for the pooling, fewer than two classes, no conv blocks).
 */
export function createBehaviorModel(options: BehaviorModelOptions = {}): tf.LayersModel {
  const windowTicks = options.windowTicks ?? FRAME_WINDOW;
  const features = options.features ?? FRAME_FEATURES;
  const classes = options.classes ?? BEHAVIOR_CLASSES.length;
  const filters = options.filters ?? DEFAULTS.filters;
  const kernelSize = options.kernelSize ?? DEFAULTS.kernelSize;
  const firstStride = options.firstStride ?? Math.min(DEFAULTS.firstStride, kernelSize);
  const denseUnits = options.denseUnits ?? DEFAULTS.denseUnits;
  const seed = options.seed ?? DEFAULTS.seed;

  requirePositiveInt('windowTicks', windowTicks, 4096);
  requirePositiveInt('features', features, 1024);
  requirePositiveInt('classes', classes, 1024);
  if (classes < 2) throw new RangeError(`classes must be at least 2, got ${classes}`);
  if (!Array.isArray(filters) || filters.length === 0) throw new RangeError('filters must list at least one conv block');
  filters.forEach((f, i) => requirePositiveInt(`filters[${i}]`, f, 1024));
  requirePositiveInt('kernelSize', kernelSize, windowTicks);
  if (kernelSize % 2 === 0) throw new RangeError(`kernelSize must be odd (symmetric 'same' padding), got ${kernelSize}`);
  requirePositiveInt('denseUnits', denseUnits, 4096);
  requirePositiveInt('firstStride', firstStride, kernelSize);
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  // 'same' padding rounds the strided length up; each max-pool halves it, rounding down.
  let pooledTicks = Math.ceil(windowTicks / firstStride);
  for (let i = 1; i < filters.length; i++) pooledTicks = Math.floor(pooledTicks / 2);
  if (pooledTicks < 1) {
    throw new RangeError(`windowTicks ${windowTicks} is too short for the first stride ${firstStride} and ${filters.length - 1} halvings by the pooling between ${filters.length} blocks`);
  }

  // Every initialiser gets its own seed so two runs with the same seed start identical.
  let next = seed * 1000;
  const init = (): ReturnType<typeof tf.initializers.glorotUniform> => tf.initializers.glorotUniform({ seed: next++ });

  const input = tf.input({ shape: [windowTicks, features], name: 'frames' });
  let h: tf.SymbolicTensor = input;
  filters.forEach((f, i) => {
    if (i > 0) h = tf.layers.maxPooling1d({ poolSize: 2, name: `pool${i}` }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.conv1d({
      filters: f, kernelSize, strides: i === 0 ? firstStride : 1, padding: 'same', activation: 'relu', kernelInitializer: init(), name: `conv${i + 1}`,
    }).apply(h) as tf.SymbolicTensor;
  });
  const avg = tf.layers.globalAveragePooling1d({ name: 'mean_over_time' }).apply(h) as tf.SymbolicTensor;
  const max = tf.layers.globalMaxPooling1d({ name: 'max_over_time' }).apply(h) as tf.SymbolicTensor;
  let head = tf.layers.concatenate({ name: 'pooled' }).apply([avg, max]) as tf.SymbolicTensor;
  head = tf.layers.dense({ units: denseUnits, activation: 'relu', kernelInitializer: init(), name: 'hidden' }).apply(head) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(), name: 'style' }).apply(head) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'behavior_cnn' });
}

/**
 * Trains the behavior model on bot episodes, deterministically, on the wasm backend.
 *
 *   npm run train -- behavior [--seed 1] [--epochs 6] [--episodes 160] [--out models/behavior/v1]
 *
 * Same flags, same machine → the same weights, byte for byte (wasm runs single-threaded;
 * every random choice — data, initialisers, batch order — comes from --seed or the split's
 * fixed seeds). After training it evaluates on held-out seeds and writes the artifact
 * folder: model.json, weights.bin, metadata.json, MODEL_CARD.md.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FRAME_FEATURE_NAMES, FRAME_FEATURES, FRAME_WINDOW } from '@pulse-arena/shared';
import {
  createRng, describeBackend, hashSeed, initBackend, ProgressBar, saveModel, tf, WEIGHTS_BIN,
  type BackendChoice, type Rng,
} from '../runtime/index.js';
import { BEHAVIOR_CLASSES } from './classes.js';
import { classCounts, generateWindows, type WindowSet } from './dataset.js';
import { evaluateArtifact, type BehaviorMetadata, writeArtifactDocs } from './eval.js';
import { argmaxRows, classificationReport } from '../metrics.js';
import { createBehaviorModel, type BehaviorModelOptions } from './model.js';

export interface TrainOptions {
  seed: number;
  epochs: number;
  /** Training episodes (worlds of 1–4 bots). */
  episodes: number;
  /** Validation episodes, used to pick the best epoch (a separate seed range from held-out). */
  valEpisodes: number;
  batchSize: number;
  learningRate: number;
  /** Window stride (ticks) when cutting training episodes. */
  stride: number;
  model?: BehaviorModelOptions;
  /** Mirror training windows at random (default true; see {@link mirrorWindow}). */
  augment?: boolean;
  /** Print progress to stderr (default true). */
  verbose?: boolean;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  seed: 1,
  epochs: 6,
  episodes: 160,
  valEpisodes: 24,
  batchSize: 64,
  learningRate: 3e-3,
  stride: 16,
};

export interface EpochLog {
  epoch: number;
  loss: number;
  valAccuracy: number;
  valMacroF1: number;
  seconds: number;
}

export interface TrainResult {
  model: tf.LayersModel;
  history: EpochLog[];
  bestEpoch: number;
  trainWindows: number;
  trainClassCounts: number[];
  valWindows: number;
  dataSeconds: number;
  trainSeconds: number;
}

const WINDOW_FLOATS = FRAME_WINDOW * FRAME_FEATURES;

/**
 * Class-balanced epoch order: every class contributes the same number of samples
 * (cycling through a class's shuffled windows when it has fewer), then all are shuffled.
 */
export function balancedOrder(labels: Uint8Array, classes: number, steps: number, batchSize: number, rng: Rng): Uint32Array {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((c, i) => byClass[c]!.push(i));
  const total = steps * batchSize;
  const order: number[] = [];
  const present = byClass.filter((idx) => idx.length > 0).length;
  if (present === 0) throw new RangeError('no training windows');
  byClass.forEach((idx) => {
    if (idx.length === 0) return;
    const want = Math.ceil(total / present);
    let pool: number[] = [];
    for (let i = 0; i < want; i++) {
      if (pool.length === 0) pool = rng.shuffle([...idx]);
      order.push(pool.pop()!);
    }
  });
  rng.shuffle(order);
  return Uint32Array.from(order.slice(0, total));
}

const F_MOVE_X = FRAME_FEATURE_NAMES.indexOf('moveX');
const F_MOVE_Y = FRAME_FEATURE_NAMES.indexOf('moveY');
const F_AIM_SIN = FRAME_FEATURE_NAMES.indexOf('aimSin');
const F_AIM_COS = FRAME_FEATURE_NAMES.indexOf('aimCos');

/**
 * Mirrors a window left↔right and/or up↔down in place. The arena, spawns and enemy
 * waves are symmetric under both flips and every other feature is a distance, a speed or
 * an angle difference, so a mirrored window is an equally real window of the same style;
 * training on both keeps the model from learning a bot's absolute-direction habits.
 */
export function mirrorWindow(window: Float32Array, flipX: boolean, flipY: boolean): void {
  for (let t = 0; t < FRAME_WINDOW; t++) {
    const r = t * FRAME_FEATURES;
    if (flipX) { window[r + F_MOVE_X] = -window[r + F_MOVE_X]!; window[r + F_AIM_COS] = -window[r + F_AIM_COS]!; }
    if (flipY) { window[r + F_MOVE_Y] = -window[r + F_MOVE_Y]!; window[r + F_AIM_SIN] = -window[r + F_AIM_SIN]!; }
  }
}

function batchTensors(
  set: WindowSet, indices: Uint32Array, from: number, n: number, augment: Rng | null,
): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const xs = new Float32Array(n * WINDOW_FLOATS);
  const ys = new Float32Array(n * BEHAVIOR_CLASSES.length);
  for (let j = 0; j < n; j++) {
    const i = indices[from + j]!;
    xs.set(set.x.subarray(i * WINDOW_FLOATS, (i + 1) * WINDOW_FLOATS), j * WINDOW_FLOATS);
    if (augment) mirrorWindow(xs.subarray(j * WINDOW_FLOATS, (j + 1) * WINDOW_FLOATS), augment.chance(0.5), augment.chance(0.5));
    ys[j * BEHAVIOR_CLASSES.length + set.y[i]!] = 1;
  }
  return { x: tf.tensor3d(xs, [n, FRAME_WINDOW, FRAME_FEATURES]), y: tf.tensor2d(ys, [n, BEHAVIOR_CLASSES.length]) };
}

/** Class probabilities for every window of a set, in batches. */
export function predictSet(model: tf.LayersModel, set: WindowSet, batchSize = 256): Float32Array {
  const k = BEHAVIOR_CLASSES.length;
  const out = new Float32Array(set.count * k);
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const probs = tf.tidy(() => {
      const x = tf.tensor3d(set.x.subarray(start * WINDOW_FLOATS, (start + n) * WINDOW_FLOATS), [n, FRAME_WINDOW, FRAME_FEATURES]);
      return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    });
    out.set(probs, start * k);
  }
  return out;
}

function validateOptions(o: TrainOptions): void {
  const ints: Array<keyof TrainOptions> = ['seed', 'epochs', 'episodes', 'valEpisodes', 'batchSize', 'stride'];
  for (const k of ints) {
    const v = o[k] as number;
    if (!Number.isInteger(v) || v < (k === 'seed' ? 0 : 1)) throw new RangeError(`--${k} must be a ${k === 'seed' ? 'non-negative' : 'positive'} integer, got ${v}`);
  }
  if (!(o.learningRate > 0 && o.learningRate < 1)) throw new RangeError(`learning rate must be in (0, 1), got ${o.learningRate}`);
}

/**
 * Generates data and trains. The caller owns (and must dispose) the returned model.
 * Pass `data` to train on windows generated elsewhere (tests use a tiny set).
 * @throws RangeError for invalid options.
 */
export async function trainBehaviorModel(
  options: TrainOptions, data?: { train: WindowSet; val: WindowSet },
): Promise<TrainResult> {
  validateOptions(options);
  const verbose = options.verbose ?? true;
  const log = (s: string): void => { if (verbose) process.stderr.write(`${s}\n`); };
  const t0 = performance.now();
  let train: WindowSet, val: WindowSet;
  if (data) {
    ({ train, val } = data);
  } else {
    const bar = verbose ? new ProgressBar({ total: options.episodes + options.valEpisodes, label: 'episodes' }) : null;
    train = generateWindows({ split: 'train', episodes: options.episodes, stride: options.stride, onEpisode: (d) => bar?.update(d) });
    val = generateWindows({ split: 'validation', episodes: options.valEpisodes, stride: 32, onEpisode: (d) => bar?.update(options.episodes + d) });
    bar?.finish(`${train.count} train / ${val.count} validation windows`);
  }
  const dataSeconds = (performance.now() - t0) / 1000;
  const counts = classCounts(train);
  log(`train windows by class: ${BEHAVIOR_CLASSES.map((c, i) => `${c} ${counts[i]}`).join(', ')}`);

  const rng = createRng(hashSeed('behavior-train', options.seed));
  const augmentRng = options.augment === false ? null : rng.fork('mirror');
  const model = createBehaviorModel({ ...options.model, seed: options.seed });
  const optimizer = tf.train.adam(options.learningRate);
  // tfjs's Adam reads this field on every step; there is no public setter.
  const setLearningRate = (lr: number): void => { (optimizer as unknown as { learningRate: number }).learningRate = lr; };
  const steps = Math.max(1, Math.floor(train.count / options.batchSize));
  const totalSteps = steps * options.epochs;
  const history: EpochLog[] = [];
  let best: { f1: number; epoch: number; weights: tf.Tensor[] } | null = null;
  const trainStart = performance.now();

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const epochStart = performance.now();
    const order = balancedOrder(train.y, BEHAVIOR_CLASSES.length, steps, options.batchSize, rng);
    const bar = verbose ? new ProgressBar({ total: steps, label: `epoch ${epoch}/${options.epochs}` }) : null;
    let lossSum = 0;
    for (let s = 0; s < steps; s++) {
      // Cosine decay to 5 % of the initial rate over the whole run.
      const progress = ((epoch - 1) * steps + s) / totalSteps;
      setLearningRate(options.learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * progress))));
      const loss = tf.tidy(() => {
        const { x, y } = batchTensors(train, order, s * options.batchSize, options.batchSize, augmentRng);
        const cost = optimizer.minimize(() => {
          const p = (model.apply(x, { training: true }) as tf.Tensor).clipByValue(1e-7, 1);
          return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(p)), -1))) as tf.Scalar;
        }, true);
        return cost!.dataSync()[0]!;
      });
      lossSum += loss;
      bar?.update(s + 1, `loss ${(lossSum / (s + 1)).toFixed(4)}`);
    }
    const probs = predictSet(model, val);
    const report = classificationReport(val.y, argmaxRows(probs, BEHAVIOR_CLASSES.length), BEHAVIOR_CLASSES);
    const entry: EpochLog = {
      epoch, loss: round(lossSum / steps, 4), valAccuracy: round(report.accuracy, 4), valMacroF1: round(report.macroF1, 4),
      seconds: round((performance.now() - epochStart) / 1000, 1),
    };
    history.push(entry);
    bar?.finish(`loss ${entry.loss.toFixed(4)}  val acc ${(entry.valAccuracy * 100).toFixed(1)} %  val macro-F1 ${(entry.valMacroF1 * 100).toFixed(1)} %`);
    if (!best || report.macroF1 > best.f1) {
      best?.weights.forEach((w) => w.dispose());
      best = { f1: report.macroF1, epoch, weights: model.getWeights().map((w) => tf.keep(w.clone())) };
    }
  }
  // Keep the epoch that did best on validation (never on held-out data).
  model.setWeights(best!.weights);
  best!.weights.forEach((w) => w.dispose());
  optimizer.dispose();
  return {
    model, history, bestEpoch: best!.epoch, trainWindows: train.count, trainClassCounts: counts,
    valWindows: val.count, dataSeconds, trainSeconds: (performance.now() - trainStart) / 1000,
  };
}

const USAGE = `usage: npm run train -- behavior [--seed N] [--epochs N] [--episodes N] [--val-episodes N]
       [--batch N] [--lr X] [--stride N] [--out DIR] [--heldout-episodes N] [--no-eval] [--backend wasm|cpu|…]`;

/** CLI entry: parses flags, trains, saves the artifact, evaluates on held-out seeds, writes the card. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' }, epochs: { type: 'string' }, episodes: { type: 'string' },
      'val-episodes': { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' },
      stride: { type: 'string' }, out: { type: 'string' }, 'heldout-episodes': { type: 'string' },
      'no-eval': { type: 'boolean' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const num = (v: string | undefined, fallback: number, name: string): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${v}'\n${USAGE}`);
    return n;
  };
  const d = DEFAULT_TRAIN_OPTIONS;
  const options: TrainOptions = {
    seed: num(values.seed, d.seed, 'seed'),
    epochs: num(values.epochs, d.epochs, 'epochs'),
    episodes: num(values.episodes, d.episodes, 'episodes'),
    valEpisodes: num(values['val-episodes'], d.valEpisodes, 'val-episodes'),
    batchSize: num(values.batch, d.batchSize, 'batch'),
    learningRate: num(values.lr, d.learningRate, 'lr'),
    stride: num(values.stride, d.stride, 'stride'),
  };
  validateOptions(options);
  const out = path.resolve(values.out ?? 'models/behavior/v1');
  const heldoutEpisodes = num(values['heldout-episodes'], 60, 'heldout-episodes');

  // Exactly wasm unless asked otherwise: the cpu backend would take hours, and a native
  // backend would give different (if equally good) weights than the committed ones.
  const backend = await initBackend([(values.backend ?? 'wasm') as BackendChoice]);
  const info = await describeBackend();
  process.stderr.write(`backend ${backend}${info.simd !== undefined ? ` (simd ${info.simd ? 'on' : 'off'}, threads ${info.threads ? 'on' : 'off'})` : ''}\n`);

  const result = await trainBehaviorModel(options);
  const argsText = argv.length ? ` ${argv.join(' ')}` : '';
  const metadata: BehaviorMetadata = {
    name: 'behavior',
    version: path.basename(out),
    classes: [...BEHAVIOR_CLASSES],
    window: FRAME_WINDOW,
    features: FRAME_FEATURES,
    params: result.model.countParams(),
    training: {
      command: `npm run train -- behavior${argsText}`,
      ...options,
      backend,
      tfjs: tf.version.tfjs,
      trainWindows: result.trainWindows,
      trainClassCounts: result.trainClassCounts,
      valWindows: result.valWindows,
      bestEpoch: result.bestEpoch,
      history: result.history,
      dataSeconds: round(result.dataSeconds, 1),
      trainSeconds: round(result.trainSeconds, 1),
    },
  };
  const saved = await saveModel(result.model, out);
  result.model.dispose();
  metadata.weightsSha256 = createHash('sha256').update(await readFile(path.join(out, WEIGHTS_BIN))).digest('hex');
  metadata.artifactBytes = saved.modelJsonBytes + saved.weightBytes;
  process.stderr.write(`saved ${out} (${saved.weightBytes} weight bytes, ${metadata.params} params) in ${metadata.training!.trainSeconds} s of training\n`);
  if (values['no-eval']) {
    await writeArtifactDocs(out, metadata);
    return;
  }
  await evaluateArtifact(out, { episodes: heldoutEpisodes, metadata, write: true });
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

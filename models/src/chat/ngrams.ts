/**
 * The chat model's second readers, of toxicity and of sentiment: logistic regression over the
 * line's hashed word unigrams and bigrams (the shared normalizer's words, lightly stemmed, every
 * identity group's word read as one `<group>`), and in a line that names a group its words as
 * said of the group ({@link ngramFeatures}). Their probabilities are mixed with the LSTM's:
 * `p = (1 − weight) · lstm + weight · ngrams`, each weight picked on val.
 *
 * Why a second reader: the LSTM's held-out errors are whole sentence frames it never saw
 * ("youre X? that explains why you suck" at 0.11). A linear model over word pairs reads
 * "you suck" wherever it stands, and errs on other lines than the LSTM does, so the mix is
 * right more often than either. `<group>` makes it blind to which group a line names, as
 * the counterfactual copies teach the LSTM to be.
 *
 * Saved beside the LSTM as `ngrams.bin` (toxicity) and `ngrams-sentiment.bin` (float32
 * little-endian: the weights bucket by bucket, then the biases); metadata.json's `ngrams` and
 * `sentimentNgrams` blocks hold the bucket count and the mix weight.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRng } from '../runtime/index.js';
import { IDENTITY_WORDS } from './corpusTemplates.js';
import { chatWords } from './text.js';

export const NGRAMS_BIN = 'ngrams.bin';
export const SENTIMENT_NGRAMS_BIN = 'ngrams-sentiment.bin';
/** What identity group words are read as. */
export const NGRAM_GROUP_TOKEN = '<group>';
/** Default bucket count: 2^16, about 1.4 buckets per distinct train feature (~47k), 256 KB on disk. */
export const DEFAULT_NGRAM_BUCKETS = 1 << 16;

/** metadata.json's `ngrams` block. */
export interface NgramMetadata {
  file: string;
  /** Buckets of the feature hash (a power of two). */
  buckets: number;
  /** Share of the reader's probabilities in the served ones, in [0, 1]. */
  weight: number;
  /** How a line becomes features, for people reading the metadata. */
  features: string;
}

export const NGRAM_FEATURES = 'hashed (FNV-1a) word unigrams and bigrams of the normalized line, words lightly stemmed and every identity group word read as one token (`<group>`); in a line that names a group, also each word as "in a line that names a group" and each word up to 5 before or after a group word with its offset';

export interface NgramTrainOptions {
  seed: number;
  /** 1 (default): a sigmoid over 0/1 labels; ≥ 3: a softmax over that many classes. */
  outputs?: number;
  /** Passes over the training lines (default 8). */
  epochs?: number;
  buckets?: number;
  /** SGD step of the first epoch; each later epoch takes 0.7 of the one before (default 0.2). */
  learningRate?: number;
  /** L2 penalty per step (default 1e-6). */
  l2?: number;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function requireBuckets(buckets: number): void {
  if (!Number.isInteger(buckets) || buckets < 2 || buckets > 1 << 24 || (buckets & (buckets - 1)) !== 0) {
    throw new RangeError(`ngram buckets must be a power of two in [2, 2^24], got ${String(buckets)}`);
  }
}

/** Longest offset from a group word that gets its own feature. */
const GROUP_SPAN = 5;

/** Strips one common suffix from longer words, so "ruins", "ruined" and "ruining" share features. */
function stem(word: string): string {
  return word.length > 4 ? word.replace(/(ing|ed|es|s|ly)$/, '') : word;
}

/**
 * Distinct feature buckets of a raw line. Besides its word uni- and bigrams, a line that names
 * a group gets its words as seen beside the group (`L2:dont`, `R1:ruin`) and anywhere in the
 * same line (`g:welcome`): what is said about a group is read apart from the same words in
 * other lines, and that carries over to sentence frames training never saw.
 */
export function ngramFeatures(text: string, buckets: number): number[] {
  const mask = buckets - 1;
  const words = chatWords(text).map((w) => (IDENTITY_WORDS.has(w) ? NGRAM_GROUP_TOKEN : stem(w)));
  const out = new Set<number>();
  const add = (feature: string): void => void out.add(fnv1a(feature) & mask);
  let named = false;
  for (let i = 0; i < words.length; i++) {
    add(`u:${words[i]!}`);
    if (i > 0) add(`b:${words[i - 1]!} ${words[i]!}`);
    if (words[i] !== NGRAM_GROUP_TOKEN) continue;
    named = true;
    for (let d = 1; d <= GROUP_SPAN; d++) {
      if (i - d >= 0) add(`L${d}:${words[i - d]!}`);
      if (i + d < words.length) add(`R${d}:${words[i + d]!}`);
    }
  }
  if (named) for (const w of words) if (w !== NGRAM_GROUP_TOKEN) add(`g:${w}`);
  return [...out];
}

export class NgramReader {
  readonly buckets: number;
  /** 1: a sigmoid (toxicity); more: a softmax over that many classes (sentiment). */
  readonly outputs: number;
  /** Stored as float32, as in the file, so a loaded reader gives exactly the trained one's probabilities. */
  readonly bias: Float32Array;

  /**
   * `weights[bucket × outputs + k]`, `bias[k]`.
   * @throws RangeError if the bucket count is not a power of two or a value is not finite.
   */
  constructor(readonly weights: Float32Array, bias: ArrayLike<number>) {
    this.outputs = bias.length;
    if (this.outputs < 1 || weights.length % this.outputs !== 0) throw new RangeError(`ngram weights must be buckets × ${this.outputs} outputs, got ${weights.length}`);
    requireBuckets(weights.length / this.outputs);
    this.bias = Float32Array.from(bias);
    if (this.bias.some((w) => !Number.isFinite(w)) || weights.some((w) => !Number.isFinite(w))) throw new RangeError('ngram weights must be finite');
    this.buckets = weights.length / this.outputs;
  }

  /** The probability of each output for a raw line: one sigmoid, or a softmax over the classes. */
  probabilities(text: string): Float32Array {
    return this.probabilitiesOf(ngramFeatures(text, this.buckets));
  }

  /** {@link probabilities} from a line's {@link ngramFeatures} for this reader's bucket count (readers of one size can share them). */
  probabilitiesOf(features: readonly number[]): Float32Array {
    const k = this.outputs;
    const z = Float64Array.from(this.bias);
    for (const f of features) for (let c = 0; c < k; c++) z[c] = z[c]! + this.weights[f * k + c]!;
    return Float32Array.from(activate(z));
  }

  /** A sigmoid reader's probability for a raw line. */
  probability(text: string): number {
    return this.probabilities(text)[0]!;
  }

  /**
   * Trains on raw lines by seeded SGD on the log loss: same inputs and options → the same
   * weights. `targets` are 0/1 labels for one output, class indices for more.
   * @throws RangeError on mismatched or empty inputs, a target out of range, or options out of range.
   */
  static train(texts: readonly string[], targets: ArrayLike<number>, options: NgramTrainOptions): NgramReader {
    const buckets = options.buckets ?? DEFAULT_NGRAM_BUCKETS;
    const k = options.outputs ?? 1;
    const epochs = options.epochs ?? 8;
    const l2 = options.l2 ?? 1e-6;
    let rate = options.learningRate ?? 0.2;
    requireBuckets(buckets);
    if (texts.length === 0 || texts.length !== targets.length) throw new RangeError(`ngram training needs as many labels as lines (≥ 1), got ${texts.length} lines and ${targets.length} labels`);
    if (!Number.isInteger(k) || k < 1 || k === 2) throw new RangeError(`ngram outputs must be 1 (a sigmoid) or ≥ 3 classes, got ${k}`);
    if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`ngram epochs must be a positive integer, got ${epochs}`);
    if (!(rate > 0) || !(l2 >= 0)) throw new RangeError('ngram learning rate must be positive and l2 not negative');
    const classes = k === 1 ? 2 : k;
    for (let i = 0; i < targets.length; i++) {
      if (!Number.isInteger(targets[i]) || targets[i]! < 0 || targets[i]! >= classes) throw new RangeError(`ngram target ${i} must be an integer in [0, ${classes - 1}], got ${targets[i]}`);
    }
    const features = texts.map((t) => ngramFeatures(t, buckets));
    const weights = new Float32Array(buckets * k);
    const bias = new Float64Array(k);
    const z = new Float64Array(k);
    const rng = createRng(options.seed);
    const order = Array.from(texts, (_, i) => i);
    for (let epoch = 0; epoch < epochs; epoch++) {
      rng.shuffle(order);
      for (const i of order) {
        const f = features[i]!;
        z.set(bias);
        for (const b of f) for (let c = 0; c < k; c++) z[c] = z[c]! + weights[b * k + c]!;
        const p = activate(z);
        for (let c = 0; c < k; c++) {
          const gradient = p[c]! - (k === 1 ? targets[i]! : Number(targets[i] === c));
          for (const b of f) weights[b * k + c] = weights[b * k + c]! - rate * (gradient + l2 * weights[b * k + c]!);
          bias[c] = bias[c]! - rate * gradient;
        }
      }
      rate *= 0.7;
    }
    return new NgramReader(weights, bias);
  }

  /** Writes the weights, then the biases, into `dir/file`. */
  async save(dir: string, file: string = NGRAMS_BIN): Promise<void> {
    const data = new Float32Array(this.weights.length + this.outputs);
    data.set(this.weights);
    data.set(this.bias, this.weights.length);
    await writeFile(path.join(dir, file), new Uint8Array(data.buffer));
  }

  /** @throws Error naming the file if it is missing or does not hold (buckets + 1) × outputs floats. */
  static async load(dir: string, buckets: number, outputs = 1, file: string = NGRAMS_BIN): Promise<NgramReader> {
    const at = path.join(dir, file);
    requireBuckets(buckets);
    const bytes = await readFile(at);
    const expected = (buckets + 1) * outputs * 4;
    if (bytes.byteLength !== expected) throw new Error(`${at}: expected ${expected} bytes for ${buckets} buckets × ${outputs} outputs, got ${bytes.byteLength}`);
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return new NgramReader(data.slice(0, buckets * outputs), data.slice(buckets * outputs));
  }
}

/** One logit: its sigmoid; more: their softmax. */
function activate(z: Float64Array): Float64Array {
  if (z.length === 1) return Float64Array.of(1 / (1 + Math.exp(-z[0]!)));
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  const e = z.map((v) => Math.exp(v - max));
  let sum = 0;
  for (const v of e) sum += v;
  return e.map((v) => v / sum);
}

/** A served probability: the LSTM's and the n-gram reader's mixed by `weight`. */
export function mixProbability(lstm: number, ngrams: number, weight: number): number {
  return (1 - weight) * lstm + weight * ngrams;
}

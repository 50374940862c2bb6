/**
 * The chat model's second reader of toxicity: logistic regression over the line's hashed
 * word unigrams and bigrams (the shared normalizer's words, every identity group's word read
 * as one `<group>`). Its probability is mixed with the LSTM's:
 * `toxicity = (1 − weight) · lstm + weight · ngrams`, the weight picked on val.
 *
 * Why a second reader: the LSTM's held-out errors are whole sentence frames it never saw
 * ("youre X? that explains why you suck" at 0.11). A linear model over word pairs reads
 * "you suck" wherever it stands, and errs on other lines than the LSTM does, so the mix is
 * right more often than either. `<group>` makes it blind to which group a line names, as
 * the counterfactual copies teach the LSTM to be.
 *
 * Saved beside the LSTM as `ngrams.bin` (float32 little-endian: one weight per bucket, then
 * the bias); metadata.json's `ngrams` block holds the bucket count and the mix weight.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRng } from '../runtime/index.js';
import { IDENTITY_WORDS } from './corpusTemplates.js';
import { chatWords } from './text.js';

export const NGRAMS_BIN = 'ngrams.bin';
/** What identity group words are read as. */
export const NGRAM_GROUP_TOKEN = '<group>';
/** Default bucket count: 2^16, about 1.4 buckets per distinct train feature (~47k), 256 KB on disk. */
export const DEFAULT_NGRAM_BUCKETS = 1 << 16;

/** metadata.json's `ngrams` block. */
export interface NgramMetadata {
  file: typeof NGRAMS_BIN;
  /** Buckets of the feature hash (a power of two). */
  buckets: number;
  /** Share of the n-gram probability in the served toxicity, in [0, 1]. */
  weight: number;
  /** How a line becomes features, for people reading the metadata. */
  features: string;
}

export const NGRAM_FEATURES = 'hashed (FNV-1a) word unigrams and bigrams of the normalized line, every identity group word read as one token (`<group>`)';

export interface NgramTrainOptions {
  seed: number;
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

/** Distinct feature buckets of a raw line. */
export function ngramFeatures(text: string, buckets: number): number[] {
  const mask = buckets - 1;
  const words = chatWords(text).map((w) => (IDENTITY_WORDS.has(w) ? NGRAM_GROUP_TOKEN : w));
  const out = new Set<number>();
  for (let i = 0; i < words.length; i++) {
    out.add(fnv1a(`u:${words[i]!}`) & mask);
    if (i > 0) out.add(fnv1a(`b:${words[i - 1]!} ${words[i]!}`) & mask);
  }
  return [...out];
}

export class NgramToxicity {
  readonly buckets: number;
  /** Stored as float32, as in ngrams.bin, so a loaded reader gives exactly the trained one's probabilities. */
  readonly bias: number;

  /** @throws RangeError if the weight count is not a power of two or a value is not finite. */
  constructor(readonly weights: Float32Array, bias: number) {
    requireBuckets(weights.length);
    if (!Number.isFinite(bias) || weights.some((w) => !Number.isFinite(w))) throw new RangeError('ngram weights must be finite');
    this.buckets = weights.length;
    this.bias = Math.fround(bias);
  }

  /** Probability that a raw line is toxic. */
  probability(text: string): number {
    let z = this.bias;
    for (const f of ngramFeatures(text, this.buckets)) z += this.weights[f]!;
    return 1 / (1 + Math.exp(-z));
  }

  /**
   * Trains on raw lines with 0/1 labels by seeded SGD on the log loss: same inputs and
   * options → the same weights.
   * @throws RangeError on mismatched or empty inputs or options out of range.
   */
  static train(texts: readonly string[], labels: ArrayLike<number>, options: NgramTrainOptions): NgramToxicity {
    const buckets = options.buckets ?? DEFAULT_NGRAM_BUCKETS;
    const epochs = options.epochs ?? 8;
    const l2 = options.l2 ?? 1e-6;
    let rate = options.learningRate ?? 0.2;
    requireBuckets(buckets);
    if (texts.length === 0 || texts.length !== labels.length) throw new RangeError(`ngram training needs as many labels as lines (≥ 1), got ${texts.length} lines and ${labels.length} labels`);
    if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`ngram epochs must be a positive integer, got ${epochs}`);
    if (!(rate > 0) || !(l2 >= 0)) throw new RangeError('ngram learning rate must be positive and l2 not negative');
    const features = texts.map((t) => ngramFeatures(t, buckets));
    const weights = new Float32Array(buckets);
    let bias = 0;
    const rng = createRng(options.seed);
    const order = Array.from(texts, (_, i) => i);
    for (let epoch = 0; epoch < epochs; epoch++) {
      rng.shuffle(order);
      for (const i of order) {
        const f = features[i]!;
        let z = bias;
        for (const b of f) z += weights[b]!;
        const gradient = 1 / (1 + Math.exp(-z)) - labels[i]!;
        for (const b of f) weights[b] = weights[b]! - rate * (gradient + l2 * weights[b]!);
        bias -= rate * gradient;
      }
      rate *= 0.7;
    }
    return new NgramToxicity(weights, bias);
  }

  /** Writes `ngrams.bin` into `dir`. */
  async save(dir: string): Promise<void> {
    const data = new Float32Array(this.buckets + 1);
    data.set(this.weights);
    data[this.buckets] = this.bias;
    await writeFile(path.join(dir, NGRAMS_BIN), new Uint8Array(data.buffer));
  }

  /** @throws Error naming the file if it is missing or does not hold `buckets` + 1 floats. */
  static async load(dir: string, buckets: number): Promise<NgramToxicity> {
    const file = path.join(dir, NGRAMS_BIN);
    requireBuckets(buckets);
    const bytes = await readFile(file);
    if (bytes.byteLength !== (buckets + 1) * 4) throw new Error(`${file}: expected ${(buckets + 1) * 4} bytes for ${buckets} buckets, got ${bytes.byteLength}`);
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return new NgramToxicity(data.slice(0, buckets), data[buckets]!);
  }
}

/** The served toxicity: the LSTM's and the n-gram model's probabilities mixed by `weight`. */
export function mixToxicity(lstm: number, ngrams: number, weight: number): number {
  return (1 - weight) * lstm + weight * ngrams;
}

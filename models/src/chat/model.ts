/**
 * The chat model: token ids → Embedding → (Bi)LSTM → two heads,
 *  - `sentiment`: softmax over {@link SENTIMENT_LABELS} (positive, neutral, negative),
 *  - `toxicity`: sigmoid, the probability that the message is abusive.
 *
 * One shared encoder for both heads: they need the same reading of the message (who is
 * addressed, negation, which words are insults) and one LSTM pass serves both at the
 * price of one. Input rows are pre-padded with id 0, which the embedding masks, so the
 * LSTM only runs over real words and the backward direction starts at the last word.
 */
import { tf } from '../runtime/index.js';
import type { Sentiment } from './corpusTemplates.js';

/** Sentiment classes in output order. */
export const SENTIMENT_LABELS: readonly Sentiment[] = ['positive', 'neutral', 'negative'];
export const SENTIMENT_OUTPUT = 'sentiment';
export const TOXICITY_OUTPUT = 'toxicity';

export interface ChatModelOptions {
  /** Number of token ids, reserved ones included (the tokenizer's `size`). */
  vocabSize: number;
  /** Ids per message (the tokenizer's `sequenceLength`). */
  sequenceLength: number;
  /** Embedding width (default 32). */
  embeddingDim?: number;
  /** LSTM units per direction (default 32). */
  lstmUnits?: number;
  /** Read the message both ways (default true): "not trash" needs the left context, "trash, not" the right. */
  bidirectional?: boolean;
  /**
   * How the LSTM's outputs become one vector (default 'max'):
   *  - 'max': max over time of every step's output (padding not masked: max pooling cannot
   *    take a mask in tfjs, and the learned pad output is the same for every message);
   *  - 'last': the final state of each direction, padding masked.
   */
  pooling?: 'max' | 'last';
  /**
   * Also feed the heads the max over time of the word embeddings (default true): a direct
   * bag-of-words path, so a word that means "insult" or "great" counts in sentence frames
   * the LSTM never saw, while the LSTM handles order ("not bad", "you're not trash").
   */
  bagOfWords?: boolean;
  /** Seed of the weight initialisers, for reproducible training (default 1). */
  seed?: number;
}

/** Sizes actually used by {@link createChatModel}, defaults filled in. */
export type ResolvedChatModelOptions = Required<ChatModelOptions>;

const DEFAULTS = { embeddingDim: 32, lstmUnits: 32, bidirectional: true, pooling: 'max', bagOfWords: true, seed: 1 } as const;

function requireInt(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}

/**
 * Fills defaults and validates.
 * @throws RangeError for sizes that are not integers in range (vocabulary of at least the
 *   4 reserved+1 tokens, sequence 1…512, embedding 1…512, LSTM units 1…1024).
 * @throws TypeError if `bidirectional` or `bagOfWords` is not a boolean, or `pooling` is unknown.
 */
export function resolveChatModelOptions(options: ChatModelOptions): ResolvedChatModelOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('chat model options must be an object');
  const resolved: ResolvedChatModelOptions = {
    vocabSize: options.vocabSize,
    sequenceLength: options.sequenceLength,
    embeddingDim: options.embeddingDim ?? DEFAULTS.embeddingDim,
    lstmUnits: options.lstmUnits ?? DEFAULTS.lstmUnits,
    bidirectional: options.bidirectional ?? DEFAULTS.bidirectional,
    pooling: options.pooling ?? DEFAULTS.pooling,
    bagOfWords: options.bagOfWords ?? DEFAULTS.bagOfWords,
    seed: options.seed ?? DEFAULTS.seed,
  };
  requireInt('vocabSize', resolved.vocabSize, 4, 1_000_000);
  requireInt('sequenceLength', resolved.sequenceLength, 1, 512);
  requireInt('embeddingDim', resolved.embeddingDim, 1, 512);
  requireInt('lstmUnits', resolved.lstmUnits, 1, 1024);
  requireInt('seed', resolved.seed, 0, 0xffffffff);
  if (typeof resolved.bidirectional !== 'boolean') {
    throw new TypeError(`bidirectional must be a boolean, got ${String(resolved.bidirectional)}`);
  }
  if (typeof resolved.bagOfWords !== 'boolean') {
    throw new TypeError(`bagOfWords must be a boolean, got ${String(resolved.bagOfWords)}`);
  }
  if (resolved.pooling !== 'max' && resolved.pooling !== 'last') {
    throw new TypeError(`pooling must be 'max' or 'last', got ${String(resolved.pooling)}`);
  }
  return resolved;
}

/**
 * Builds the (uncompiled) chat model. Input: int32 `[batch, sequenceLength]`; outputs, in
 * order: sentiment probabilities `[batch, 3]` and toxicity probability `[batch, 1]`.
 * Same options and seed → same initial weights.
 * @throws as {@link resolveChatModelOptions}.
 */
export function createChatModel(options: ChatModelOptions): tf.LayersModel {
  const o = resolveChatModelOptions(options);
  const input = tf.input({ shape: [o.sequenceLength], dtype: 'int32', name: 'tokens' });
  const [sentiment, toxicity] = chatBranch(input, o, '');
  return tf.model({ inputs: input, outputs: [sentiment, toxicity], name: 'chat' });
}

/**
 * One encoder with its two heads on `input`, every layer name prefixed with `prefix` (''
 * for the plain model). Returns the sentiment and toxicity outputs.
 */
function chatBranch(input: tf.SymbolicTensor, o: ResolvedChatModelOptions, prefix: string): [tf.SymbolicTensor, tf.SymbolicTensor] {
  // Distinct, reproducible seeds per initialiser (the same seed twice would correlate them).
  let s = o.seed;
  const nextSeed = (): number => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0);
  const glorot = (): ReturnType<typeof tf.initializers.glorotUniform> => tf.initializers.glorotUniform({ seed: nextSeed() });

  const embedded = tf.layers.embedding({
    inputDim: o.vocabSize, outputDim: o.embeddingDim, maskZero: o.pooling === 'last', name: `${prefix}embedding`,
    embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: nextSeed() }),
  }).apply(input) as tf.SymbolicTensor;
  // Glorot for the recurrent kernel too: tfjs's orthogonal initialiser runs a QR on every
  // load and warns above 2k elements; at ≤ 32 steps the difference does not show.
  const lstm = (name: string): tf.layers.RNN => tf.layers.lstm({
    units: o.lstmUnits, name, kernelInitializer: glorot(), recurrentInitializer: glorot(),
    returnSequences: o.pooling === 'max',
  });
  let encoded = (o.bidirectional
    ? tf.layers.bidirectional({ layer: lstm(`${prefix}lstm`), mergeMode: 'concat', name: `${prefix}bilstm` }).apply(embedded)
    : lstm(`${prefix}lstm`).apply(embedded)) as tf.SymbolicTensor;
  if (o.pooling === 'max') encoded = tf.layers.globalMaxPooling1d({ name: `${prefix}max_over_time` }).apply(encoded) as tf.SymbolicTensor;
  if (o.bagOfWords) {
    // Max pooling cannot take the embedding's mask; the pad row is one learned vector that
    // training pushes below the real words wherever it matters.
    const words = o.pooling === 'last'
      ? tf.layers.embedding({
        inputDim: o.vocabSize, outputDim: o.embeddingDim, name: `${prefix}word_embedding`,
        embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: nextSeed() }),
      }).apply(input) as tf.SymbolicTensor
      : embedded;
    const bag = tf.layers.globalMaxPooling1d({ name: `${prefix}max_over_words` }).apply(words) as tf.SymbolicTensor;
    encoded = tf.layers.concatenate({ name: `${prefix}features` }).apply([encoded, bag]) as tf.SymbolicTensor;
  }
  const sentiment = tf.layers.dense({
    units: SENTIMENT_LABELS.length, activation: 'softmax', name: `${prefix}${SENTIMENT_OUTPUT}`, kernelInitializer: glorot(),
  }).apply(encoded) as tf.SymbolicTensor;
  const toxicity = tf.layers.dense({
    units: 1, activation: 'sigmoid', name: `${prefix}${TOXICITY_OUTPUT}`, kernelInitializer: glorot(),
  }).apply(encoded) as tf.SymbolicTensor;
  return [sentiment, toxicity];
}

/**
 * An ensemble of trained chat models as one model: the members' encoders and heads side by
 * side on the same token input (layer names prefixed `m0_`, `m1_`, …), their sentiment and
 * toxicity probabilities averaged into the usual two outputs. The members must share the
 * architecture `options` and the vocabulary; their weights are copied.
 * @throws Error if a member's layers do not match the architecture.
 */
export function ensembleChatModels(members: readonly tf.LayersModel[], options: ChatModelOptions): tf.LayersModel {
  if (members.length === 0) throw new Error('an ensemble needs at least one member');
  const o = resolveChatModelOptions(options);
  const input = tf.input({ shape: [o.sequenceLength], dtype: 'int32', name: 'tokens' });
  const outs = members.map((_, k) => chatBranch(input, o, `m${k}_`));
  const average = (i: 0 | 1, name: string): tf.SymbolicTensor => (members.length === 1
    ? outs[0]![i]
    : tf.layers.average({ name }).apply(outs.map((b) => b[i])) as tf.SymbolicTensor);
  const model = tf.model({ inputs: input, outputs: [average(0, SENTIMENT_OUTPUT), average(1, TOXICITY_OUTPUT)], name: 'chat' });
  members.forEach((member, k) => {
    for (const layer of member.layers) {
      const weights = layer.getWeights();
      if (weights.length === 0) continue;
      model.getLayer(`m${k}_${layer.name}`).setWeights(weights);
    }
  });
  return model;
}

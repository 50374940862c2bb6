/**
 * Inference for the chat model: load a versioned artifact folder once (model.json,
 * weights.bin, vocab.json, metadata.json), then score batches of raw chat messages. Text
 * goes through the shared normalizer and tokenizer, exactly as at training time. Every
 * call cleans up its tensors, so a long-running inference host does not leak.
 *
 * ```ts
 * await initBackend();
 * const chat = await ChatClassifier.load();            // models/chat/v3
 * const [score] = chat.score(['gg ez noobs']);         // { toxic: true, toxicity: 0.98, sentiment: 'negative', … }
 * ```
 *
 * A line is toxic at the artifact's `toxicThreshold`, or at its stricter
 * `identityToxicThreshold` when it names an identity group (identity.ts). Where the artifact
 * has an n-gram reader (`ngrams.bin`, ngrams.ts), its toxicity is mixed into the LSTM's.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, tf } from '../runtime/index.js';
import type { Sentiment } from './corpusTemplates.js';
import { namesIdentityGroup } from './identity.js';
import { SENTIMENT_LABELS } from './model.js';
import { mixToxicity, NgramToxicity, type NgramMetadata } from './ngrams.js';
import { ChatTokenizer, normalizeChatText, parseChatVocabulary } from './text.js';

/** The artifact the server uses by default. */
export const DEFAULT_CHAT_MODEL_DIR = fileURLToPath(new URL('../../chat/v3', import.meta.url));
export const VOCAB_JSON = 'vocab.json';
export const METADATA_JSON = 'metadata.json';

/** Largest batch sent to the backend at once (bounds memory for huge requests). */
const MAX_BATCH = 256;

/** What the chat model says about one message. */
export interface ChatScore {
  /** Most likely sentiment. */
  sentiment: Sentiment;
  /** Probability of each sentiment. */
  sentimentProbabilities: Record<Sentiment, number>;
  /** Probability that the message is toxic. */
  toxicity: number;
  /** `toxicity` at or above the classifier's threshold for this line (its identity one when the line names a group). */
  toxic: boolean;
}

/** The part of metadata.json the classifier needs. */
export interface ChatModelMetadata {
  name: 'chat';
  version: number;
  sentimentLabels: Sentiment[];
  /** Toxicity probability at or above which a message counts as toxic (picked on validation). */
  toxicThreshold: number;
  /** The same for a message that names an identity group (see identity.ts; absent: `toxicThreshold`). */
  identityToxicThreshold?: number;
  /** The n-gram reader mixed into the toxicity (absent: the LSTM's toxicity alone). */
  ngrams?: NgramMetadata;
  [key: string]: unknown;
}

/** An n-gram reader and its share of the served toxicity. */
export interface ChatNgramMix {
  model: NgramToxicity;
  /** In [0, 1]. */
  weight: number;
}

export class ChatClassifier {
  private disposed = false;

  /** @throws Error if the model's input length or outputs do not match the tokenizer and labels. */
  constructor(
    readonly model: tf.LayersModel,
    readonly tokenizer: ChatTokenizer,
    readonly toxicThreshold = 0.5,
    /** For lines that name an identity group ({@link namesIdentityGroup}). */
    readonly identityToxicThreshold = toxicThreshold,
    readonly ngrams: ChatNgramMix | null = null,
  ) {
    const inShape = model.inputs[0]?.shape;
    if (!inShape || inShape[1] !== tokenizer.sequenceLength) {
      throw new Error(`chat model expects input [batch, ${String(inShape?.[1])}] but the vocabulary's sequence length is ${tokenizer.sequenceLength}`);
    }
    const [s, t] = model.outputs;
    if (model.outputs.length !== 2 || s?.shape[1] !== SENTIMENT_LABELS.length || t?.shape[1] !== 1) {
      throw new Error(`chat model must output [batch, ${SENTIMENT_LABELS.length}] sentiment and [batch, 1] toxicity`);
    }
    for (const [name, t] of [['toxicThreshold', toxicThreshold], ['identityToxicThreshold', identityToxicThreshold]] as const) {
      if (!(t > 0 && t < 1)) throw new RangeError(`${name} must be in (0, 1), got ${t}`);
    }
    if (ngrams && !(ngrams.weight >= 0 && ngrams.weight <= 1)) throw new RangeError(`ngram weight must be in [0, 1], got ${ngrams.weight}`);
  }

  /**
   * Loads an artifact folder.
   * @throws Error naming the file if model.json, weights.bin, vocab.json, metadata.json or
   *   the ngrams.bin it names is missing or invalid, or if the metadata's labels differ from this code's.
   */
  static async load(dir: string = DEFAULT_CHAT_MODEL_DIR): Promise<ChatClassifier> {
    const [vocabText, metaText] = await Promise.all([
      readFile(path.join(dir, VOCAB_JSON), 'utf8'),
      readFile(path.join(dir, METADATA_JSON), 'utf8'),
    ]);
    let tokenizer: ChatTokenizer;
    let meta: ChatModelMetadata;
    try {
      tokenizer = new ChatTokenizer(parseChatVocabulary(JSON.parse(vocabText)));
    } catch (err) {
      throw new Error(`${path.join(dir, VOCAB_JSON)}: ${(err as Error).message}`);
    }
    try {
      meta = JSON.parse(metaText) as ChatModelMetadata;
    } catch (err) {
      throw new Error(`${path.join(dir, METADATA_JSON)}: ${(err as Error).message}`);
    }
    if (meta.sentimentLabels?.join() !== SENTIMENT_LABELS.join()) {
      throw new Error(`${dir} was trained for sentiment labels [${String(meta.sentimentLabels)}], this code expects [${SENTIMENT_LABELS.join(', ')}]`);
    }
    const ngrams = meta.ngrams ? { model: await NgramToxicity.load(dir, meta.ngrams.buckets), weight: meta.ngrams.weight } : null;
    const model = await loadModel(dir);
    try {
      return new ChatClassifier(model, tokenizer, meta.toxicThreshold, meta.identityToxicThreshold ?? meta.toxicThreshold, ngrams);
    } catch (err) {
      model.dispose();
      throw err;
    }
  }

  /**
   * Raw probabilities for a batch of messages: `sentiment` row-major `[n × 3]` (in
   * SENTIMENT_LABELS order) and `toxicity` `[n]`.
   */
  predict(texts: readonly string[]): { sentiment: Float32Array; toxicity: Float32Array } {
    if (this.disposed) throw new Error('chat classifier has been disposed');
    const n = texts.length;
    const k = SENTIMENT_LABELS.length;
    const sentiment = new Float32Array(n * k);
    const toxicity = new Float32Array(n);
    const len = this.tokenizer.sequenceLength;
    for (let start = 0; start < n; start += MAX_BATCH) {
      const m = Math.min(MAX_BATCH, n - start);
      const ids = this.tokenizer.encodeBatch(texts.slice(start, start + m));
      const [s, t] = tf.tidy(() => {
        const out = this.model.predict(tf.tensor2d(ids, [m, len], 'int32')) as tf.Tensor[];
        return [out[0]!.dataSync() as Float32Array, out[1]!.dataSync() as Float32Array];
      });
      sentiment.set(s, start * k);
      toxicity.set(t, start);
    }
    this.mixNgrams(texts, toxicity);
    return { sentiment, toxicity };
  }

  /**
   * Turns the LSTM's toxicity of `texts` (row i for texts[i]) into the served one, in place:
   * the n-gram reader mixed in, where the artifact has one. Any runner of this classifier's
   * model (the inference worker's lean pass) calls it on its output.
   */
  mixNgrams(texts: readonly string[], toxicity: Float32Array): void {
    const mix = this.ngrams;
    if (!mix) return;
    for (let i = 0; i < texts.length; i++) toxicity[i] = mixToxicity(toxicity[i]!, mix.model.probability(texts[i]!), mix.weight);
  }

  /** Scores a batch of raw chat messages (any length; an empty batch gives []). */
  score(texts: readonly string[]): ChatScore[] {
    const { sentiment, toxicity } = this.predict(texts);
    const k = SENTIMENT_LABELS.length;
    return texts.map((_, i) => {
      const probs = {} as Record<Sentiment, number>;
      let best = 0;
      SENTIMENT_LABELS.forEach((label, c) => {
        probs[label] = sentiment[i * k + c]!;
        if (sentiment[i * k + c]! > sentiment[i * k + best]!) best = c;
      });
      const tox = toxicity[i]!;
      const threshold = namesIdentityGroup(normalizeChatText(texts[i]!)) ? this.identityToxicThreshold : this.toxicThreshold;
      return { sentiment: SENTIMENT_LABELS[best]!, sentimentProbabilities: probs, toxicity: tox, toxic: tox >= threshold };
    });
  }

  /** Frees the model's weights. Further calls throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}

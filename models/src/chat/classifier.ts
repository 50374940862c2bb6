/**
 * Inference for the chat model: load a versioned artifact folder once (model.json,
 * weights.bin, vocab.json, metadata.json), then score batches of raw chat messages. Text
 * goes through the shared normalizer and tokenizer, exactly as at training time. Every
 * call cleans up its tensors, so a long-running inference host does not leak.
 *
 * ```ts
 * await initBackend();
 * const chat = await ChatClassifier.load();            // models/chat/v4
 * const [score] = chat.score(['gg ez noobs']);         // { toxic: true, toxicity: 0.98, sentiment: 'negative', … }
 * ```
 *
 * A line is toxic at the artifact's `toxicThreshold`, or at its stricter
 * `identityToxicThreshold` when it names an identity group (identity.ts). Where the artifact
 * has n-gram readers (`ngrams.bin`, `ngrams-sentiment.bin`: ngrams.ts), theirs are mixed into the LSTM's.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, tf } from '../runtime/index.js';
import type { Sentiment } from './corpusTemplates.js';
import { namesIdentityGroup } from './identity.js';
import { SENTIMENT_LABELS } from './model.js';
import { mixProbability, NGRAM_FEATURES, ngramFeatures, NgramReader, type NgramMetadata } from './ngrams.js';
import { ChatTokenizer, normalizeChatText, parseChatVocabulary } from './text.js';

/** The artifact the server uses by default. */
export const DEFAULT_CHAT_MODEL_DIR = fileURLToPath(new URL('../../chat/v4', import.meta.url));
export const VOCAB_JSON = 'vocab.json';
export const METADATA_JSON = 'metadata.json';

const SENTIMENT_COLUMNS = SENTIMENT_LABELS.map((_, i) => i);

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
  /** The n-gram reader mixed into the sentiment (absent: the LSTM's sentiment alone). */
  sentimentNgrams?: NgramMetadata;
  [key: string]: unknown;
}

/** An n-gram reader and its share of the served probabilities. */
export interface ChatNgramMix {
  model: NgramReader;
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
    /** Its toxicity reader (one sigmoid) and sentiment reader (a softmax in SENTIMENT_LABELS order), where the artifact has them. */
    readonly ngrams: { toxicity: ChatNgramMix | null; sentiment: ChatNgramMix | null } = { toxicity: null, sentiment: null },
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
    for (const [name, mix, outputs] of [['toxicity', ngrams.toxicity, 1], ['sentiment', ngrams.sentiment, SENTIMENT_LABELS.length]] as const) {
      if (!mix) continue;
      if (!(mix.weight >= 0 && mix.weight <= 1)) throw new RangeError(`${name} ngram weight must be in [0, 1], got ${mix.weight}`);
      if (mix.model.outputs !== outputs) throw new Error(`${name} ngram reader must have ${outputs} output(s), got ${mix.model.outputs}`);
    }
  }

  /**
   * Loads an artifact folder.
   * @throws Error naming the file if model.json, weights.bin, vocab.json, metadata.json or
   *   an n-gram file it names is missing or invalid, or if the metadata's labels differ from this code's.
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
    const reader = async (m: NgramMetadata | undefined, outputs: number): Promise<ChatNgramMix | null> => {
      if (!m) return null;
      // The file holds weights per feature bucket: read with other features, it would score nonsense.
      if (m.features !== NGRAM_FEATURES) throw new Error(`${path.join(dir, METADATA_JSON)}: ${m.file} was trained on other n-gram features than this code reads ("${m.features}")`);
      return { model: await NgramReader.load(dir, m.buckets, outputs, m.file), weight: m.weight };
    };
    const ngrams = { toxicity: await reader(meta.ngrams, 1), sentiment: await reader(meta.sentimentNgrams, SENTIMENT_LABELS.length) };
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
    this.mixNgrams(texts, sentiment, toxicity);
    return { sentiment, toxicity };
  }

  /**
   * Turns the LSTM's outputs for `texts` (row i for texts[i]) into the served ones, in place:
   * the n-gram readers mixed in, where the artifact has them. Any runner of this classifier's
   * model (the inference worker's lean pass) calls it on its output. `columns[c]` is the
   * SENTIMENT_LABELS index of `sentiment`'s column c (default: that order).
   */
  mixNgrams(texts: readonly string[], sentiment: Float32Array, toxicity: Float32Array, columns: readonly number[] = SENTIMENT_COLUMNS): void {
    const { toxicity: tox, sentiment: sent } = this.ngrams;
    const k = columns.length;
    // Readers of one size read the same features: hash each line once for both.
    const sharedBuckets = tox && sent && tox.model.buckets === sent.model.buckets ? tox.model.buckets : 0;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!;
      const features = sharedBuckets ? ngramFeatures(text, sharedBuckets) : null;
      if (tox) toxicity[i] = mixProbability(toxicity[i]!, readNgrams(tox.model, text, features)[0]!, tox.weight);
      if (sent) {
        const p = readNgrams(sent.model, text, features);
        for (let c = 0; c < k; c++) sentiment[i * k + c] = mixProbability(sentiment[i * k + c]!, p[columns[c]!]!, sent.weight);
      }
    }
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

/** A reader's probabilities for a line, from its features where the caller hashed them already (readers of one size share them). */
function readNgrams(reader: NgramReader, text: string, features: readonly number[] | null): Float32Array {
  return features ? reader.probabilitiesOf(features) : reader.probabilities(text);
}

/**
 * Runs the chat model inside the inference worker: the shared tokenizer, the model, the
 * artifact's n-gram readers mixed in, and the output in SENTIMENT_CLASSES order.
 *
 * The model runs as its lean forward pass (models/src/chat/leanForward.ts): the same weights
 * in plain tensor ops, skipping the padding a batch shares — about three times faster than
 * the layers model on a chat line. It is used only after a self-check at load time finds
 * its outputs equal to the layers model's on probe messages of every length (within 1e-5);
 * a model it does not understand, or one that fails the check, runs as the layers model.
 */
import { SENTIMENT_CLASSES } from './types.js';
import type { ChatClassifier } from '../../../models/src/chat/classifier.js';
import { firstTokens, LeanChatModel } from '../../../models/src/chat/leanForward.js';
import { tf } from '@pulse-arena/models/runtime';

/** Sentiment [n × 3] in SENTIMENT_CLASSES order and toxicity [n]. */
export interface ChatOutputs {
  sentiment: Float32Array;
  toxicity: Float32Array;
}

/** Messages of different lengths the lean forward pass must reproduce exactly. */
const PROBES = [
  '', 'gg', 'u r trash', 'nice shot man', 'Y0U  R  Tr\u0430\u0430\u0430sh!!!', 'help me heal here please i am low',
  'wave 12 go go go', 'this is a much longer message about the game that keeps going on and on about the last wave and the boss',
  'not bad at all', 'f u c k off noob', 'gg wp everyone thanks for the games',
];
const TOLERANCE = 1e-5;
/** A call's fixed cost, in "rows × steps" of work: the cost model for splitting a batch by length. */
const CALL_COST_ROWS = 16;

export class ChatRunner {
  /** Why the layers model runs instead of the lean forward pass, or null when the lean one runs. */
  readonly fallback: string | null;

  private constructor(
    private readonly chat: ChatClassifier,
    /** model output column of each SENTIMENT_CLASSES entry */
    private readonly order: readonly number[],
    private readonly lean: LeanChatModel | null,
    why: string | null,
  ) {
    this.fallback = why;
  }

  /**
   * Loads the chat artifact and decides on the lean forward pass.
   * @throws Error if the artifact cannot be loaded (as ChatClassifier.load), or the model's
   *   sentiment labels lack one of SENTIMENT_CLASSES.
   */
  static async load(dir: string): Promise<ChatRunner> {
    const [{ ChatClassifier: Classifier }, { SENTIMENT_LABELS }] = await Promise.all([
      import('../../../models/src/chat/classifier.js'),
      import('../../../models/src/chat/model.js'),
    ]);
    const order = SENTIMENT_CLASSES.map((c) => {
      const i = (SENTIMENT_LABELS as readonly string[]).indexOf(c);
      if (i < 0) throw new Error(`chat model has no '${c}' sentiment output (labels: ${SENTIMENT_LABELS.join(', ')})`);
      return i;
    });
    const chat = await Classifier.load(dir);
    let lean: LeanChatModel;
    try {
      lean = LeanChatModel.from(chat.model);
    } catch (err) {
      return new ChatRunner(chat, order, null, err instanceof Error ? err.message : String(err));
    }
    const runner = new ChatRunner(chat, order, lean, null);
    const diff = runner.selfCheck();
    if (diff > TOLERANCE) {
      lean.dispose();
      return new ChatRunner(chat, order, null, `lean forward pass differs from the layers model by ${diff.toExponential(1)}`);
    }
    return runner;
  }

  /** Scores `texts`; every tensor is disposed. */
  predict(texts: readonly string[]): ChatOutputs {
    const n = texts.length;
    const out: ChatOutputs = { sentiment: new Float32Array(n * SENTIMENT_CLASSES.length), toxicity: new Float32Array(n) };
    if (n === 0) return out;
    this.runModel(this.chat.tokenizer.encodeBatch(texts), n, out);
    this.chat.mixNgrams(texts, out.sentiment, out.toxicity, this.order);
    return out;
  }

  /** The model's outputs for `n` rows of token ids, into `out` in SENTIMENT_CLASSES order. */
  private runModel(ids: Int32Array, n: number, out: ChatOutputs): void {
    const len = this.chat.tokenizer.sequenceLength;
    const lean = this.lean;
    if (!lean) {
      this.write(this.runLayers(ids, n), null, out);
      return;
    }
    // The lean pass runs as many steps as the batch's longest message. A large batch mixing
    // short lines with a few long ones is cheaper as two calls: rows sorted by length, split
    // where a simple cost model (a call's fixed cost, then rows × steps) says.
    const steps = firstTokens(ids, n).map((first) => Math.max(1, len - first));
    const rows = Array.from({ length: n }, (_, i) => i).sort((a, b) => steps[a]! - steps[b]!);
    let bestSplit = 0;
    let bestCost = (CALL_COST_ROWS + n) * steps[rows[n - 1]!]!;
    for (let s = 1; s < n; s++) {
      const cost = (CALL_COST_ROWS + s) * steps[rows[s - 1]!]! + (CALL_COST_ROWS + n - s) * steps[rows[n - 1]!]!;
      if (cost < bestCost) {
        bestCost = cost;
        bestSplit = s;
      }
    }
    if (bestSplit === 0) {
      this.write(lean.predict(ids, n), null, out);
      return;
    }
    for (const group of [rows.slice(0, bestSplit), rows.slice(bestSplit)]) {
      const groupIds = new Int32Array(group.length * len);
      group.forEach((r, i) => groupIds.set(ids.subarray(r * len, (r + 1) * len), i * len));
      this.write(lean.predict(groupIds, group.length), group, out);
    }
  }

  dispose(): void {
    this.lean?.dispose();
    this.chat.dispose();
  }

  /** Copies row i of `result` (model output order) to row `rows[i]` (or i) of `out`, in SENTIMENT_CLASSES order. */
  private write(result: ChatOutputs, rows: readonly number[] | null, out: ChatOutputs): void {
    const k = SENTIMENT_CLASSES.length;
    for (let i = 0; i < result.toxicity.length; i++) {
      const r = rows ? rows[i]! : i;
      for (let c = 0; c < k; c++) out.sentiment[r * k + c] = result.sentiment[i * k + this.order[c]!]!;
      out.toxicity[r] = result.toxicity[i]!;
    }
  }

  /** The layers model on `[n × sequence length]` ids, outputs in the model's order. */
  private runLayers(ids: Int32Array, n: number): ChatOutputs {
    return tf.tidy(() => {
      const outputs = this.chat.model.predict(tf.tensor2d(ids, [n, this.chat.tokenizer.sequenceLength], 'int32')) as tf.Tensor[];
      return { sentiment: outputs[0]!.dataSync() as Float32Array, toxicity: outputs[1]!.dataSync() as Float32Array };
    });
  }

  /** Largest difference between the lean and the layers model's outputs over the probes (each alone and all together). */
  private selfCheck(): number {
    const layers = new ChatRunner(this.chat, this.order, null, 'self-check');
    let diff = 0;
    const compare = (texts: string[]): void => {
      const a = this.predict(texts);
      const b = layers.predict(texts);
      for (let i = 0; i < a.sentiment.length; i++) diff = Math.max(diff, Math.abs(a.sentiment[i]! - b.sentiment[i]!));
      for (let i = 0; i < a.toxicity.length; i++) diff = Math.max(diff, Math.abs(a.toxicity[i]! - b.toxicity[i]!));
    };
    for (const p of PROBES) compare([p]);
    compare(PROBES);
    compare(PROBES.slice(0, 5));
    return Number.isNaN(diff) ? Infinity : diff;
  }
}

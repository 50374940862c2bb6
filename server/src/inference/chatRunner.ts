/**
 * Runs the chat model inside the inference worker: the shared tokenizer, the model, and
 * the output in SENTIMENT_CLASSES order.
 *
 * Length trimming: chat lines are short (a few words) but are padded to the model's
 * sequence length (32), and an LSTM pays for every step. When the model masks its padding
 * (pooling 'last'), the leading pad columns that every row of a batch shares change
 * nothing, so they are cut (one is kept) and the batch runs only as many steps as its
 * longest message — several times faster for game chat. Large batches are also split in two by length
 * when that saves steps. This is only switched on after a self-check at load time finds
 * the trimmed outputs equal to the full model's on probe messages (within 1e-5); a model
 * that does not mask padding (pooling 'max' sees the pad steps) always runs full length.
 */
import { SENTIMENT_CLASSES } from './types.js';
import type { ChatClassifier } from '../../../models/src/chat/classifier.js';
import { loadModelArtifacts, loadModelFromArtifacts, tf } from '@pulse-arena/models/runtime';

/** Sentiment [n × 3] in SENTIMENT_CLASSES order and toxicity [n]. */
export interface ChatOutputs {
  sentiment: Float32Array;
  toxicity: Float32Array;
}

/** Messages of different lengths the trimmed model must reproduce exactly. */
const PROBES = [
  '', 'gg', 'u r trash', 'nice shot man', 'Y0U  R  Tr\u0430\u0430\u0430sh!!!', 'help me heal here please i am low',
  'wave 12 go go go', 'this is a much longer message about the game that keeps going on and on about the last wave and the boss',
  'not bad at all', 'f u c k off noob', 'gg wp everyone thanks for the games',
];
const TOLERANCE = 1e-5;
/** A predict call's fixed cost, in "rows × steps" of work: the cost model for splitting a batch by length. */
const CALL_COST_ROWS = 16;

export class ChatRunner {
  /** Why trimming is off, or null when it is on. */
  readonly trimming: string | null;

  private constructor(
    private readonly chat: ChatClassifier,
    /** model output column of each SENTIMENT_CLASSES entry */
    private readonly order: readonly number[],
    private readonly variable: tf.LayersModel | null,
    why: string | null,
  ) {
    this.trimming = why;
  }

  /**
   * Loads the chat artifact and decides on trimming.
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
    let variable: tf.LayersModel | null = null;
    let why: string | null = null;
    try {
      variable = await variableLengthCopy(dir);
    } catch (err) {
      why = `no variable-length copy of the model: ${err instanceof Error ? err.message : String(err)}`;
    }
    const runner = new ChatRunner(chat, order, variable, why);
    if (variable) {
      const diff = runner.selfCheck();
      if (diff > TOLERANCE) {
        variable.dispose();
        return new ChatRunner(chat, order, null, `trimmed outputs differ from the full model by ${diff.toExponential(1)} (padding is not masked)`);
      }
    }
    return runner;
  }

  /** Scores `texts`; every tensor is disposed. */
  predict(texts: readonly string[]): ChatOutputs {
    const n = texts.length;
    const k = SENTIMENT_CLASSES.length;
    const out: ChatOutputs = { sentiment: new Float32Array(n * k), toxicity: new Float32Array(n) };
    if (n === 0) return out;
    const len = this.chat.tokenizer.sequenceLength;
    const ids = this.chat.tokenizer.encodeBatch(texts);
    if (!this.variable) {
      this.run(this.chat.model, ids, n, len, null, out);
      return out;
    }
    // Steps each row needs: its words plus one pad (padding comes first), so a row that had
    // padding still shows the pad to any part of the model that is not masked (e.g. a max
    // over the embeddings); rows of the full length keep it.
    const lengths = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      let first = 0;
      while (first < len && ids[r * len + first] === 0) first++;
      lengths[r] = Math.min(len, len - first + 1);
    }
    const rows = Array.from({ length: n }, (_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
    // Best single split of the length-sorted rows (or none) under a simple cost model.
    let bestSplit = 0;
    let bestCost = (CALL_COST_ROWS + n) * lengths[rows[n - 1]!]!;
    for (let s = 1; s < n; s++) {
      const cost = (CALL_COST_ROWS + s) * lengths[rows[s - 1]!]! + (CALL_COST_ROWS + n - s) * lengths[rows[n - 1]!]!;
      if (cost < bestCost) {
        bestCost = cost;
        bestSplit = s;
      }
    }
    for (const group of bestSplit > 0 ? [rows.slice(0, bestSplit), rows.slice(bestSplit)] : [rows]) {
      const steps = lengths[group[group.length - 1]!]!;
      const trimmed = new Int32Array(group.length * steps);
      group.forEach((r, i) => trimmed.set(ids.subarray(r * len + len - steps, (r + 1) * len), i * steps));
      this.run(steps === len ? this.chat.model : this.variable, trimmed, group.length, steps, group, out);
    }
    return out;
  }

  dispose(): void {
    this.variable?.dispose();
    this.chat.dispose();
  }

  /** Runs `model` on `[m × steps]` ids and writes row i's outputs to `out` at `rows[i]` (or i). */
  private run(model: tf.LayersModel, ids: Int32Array, m: number, steps: number, rows: number[] | null, out: ChatOutputs): void {
    const k = SENTIMENT_CLASSES.length;
    const [s, t] = tf.tidy(() => {
      const outputs = model.predict(tf.tensor2d(ids, [m, steps], 'int32')) as tf.Tensor[];
      return [outputs[0]!.dataSync() as Float32Array, outputs[1]!.dataSync() as Float32Array];
    });
    for (let i = 0; i < m; i++) {
      const r = rows ? rows[i]! : i;
      for (let c = 0; c < k; c++) out.sentiment[r * k + c] = s[i * k + this.order[c]!]!;
      out.toxicity[r] = t[i]!;
    }
  }

  /** Largest difference between trimmed and full-length outputs over the probes (each alone and all together). */
  private selfCheck(): number {
    const full = new ChatRunner(this.chat, this.order, null, 'self-check');
    let diff = 0;
    const compare = (texts: string[]): void => {
      const a = this.predict(texts);
      const b = full.predict(texts);
      for (let i = 0; i < a.sentiment.length; i++) diff = Math.max(diff, Math.abs(a.sentiment[i]! - b.sentiment[i]!));
      for (let i = 0; i < a.toxicity.length; i++) diff = Math.max(diff, Math.abs(a.toxicity[i]! - b.toxicity[i]!));
    };
    for (const p of PROBES) compare([p]);
    compare(PROBES);
    compare(PROBES.slice(0, 5));
    return Number.isNaN(diff) ? Infinity : diff;
  }
}

/** The saved model with its input's time dimension left open ([batch, null]), same weights. */
async function variableLengthCopy(dir: string): Promise<tf.LayersModel> {
  const artifacts = await loadModelArtifacts(dir);
  const topology = structuredClone(artifacts.modelTopology) as { config?: { layers?: Array<{ class_name: string; config: { batch_input_shape?: unknown } }> } };
  const inputs = topology.config?.layers?.filter((l) => l.class_name === 'InputLayer') ?? [];
  const shape = inputs[0]?.config.batch_input_shape;
  if (inputs.length !== 1 || !Array.isArray(shape) || shape.length !== 2) throw new Error('expected one [batch, sequence] input');
  inputs[0]!.config.batch_input_shape = [null, null];
  return loadModelFromArtifacts({ ...artifacts, modelTopology: topology as object });
}

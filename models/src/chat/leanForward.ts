/**
 * The chat model's forward pass written out in tensor ops, for serving: the weights of a
 * trained layers model (the architecture `createChatModel` builds with pooling 'last') and
 * the same arithmetic, several times faster on game chat.
 *
 * Why: tfjs-layers runs each LSTM step as a few dozen small ops plus its own bookkeeping,
 * and at the batch sizes chat arrives in (one line, a handful) that overhead is nearly all
 * of the cost: 3.4 ms for one 6-word line on wasm. Here the input projections of all steps
 * run before the loop (one matMul per gate), a step is a few plain ops with no slicing of
 * its results, and the leading padding that every row of a batch shares (pre-padding) is
 * skipped rather than stepped through.
 *
 * Only the topology below is understood; `LeanChatModel.from` throws for anything else
 * (max pooling over steps, ensembles), and callers keep the layers model. Equality with the
 * layers model is for callers to check on real inputs (see server/src/inference/chatRunner.ts).
 *
 *   tokens → embedding (mask_zero) → lstm | bilstm (concat; last state)  ┐
 *          → word_embedding → max over words (optional)                  ┴→ features → sentiment (softmax), toxicity (sigmoid)
 */
import { tf } from '../runtime/index.js';

/**
 * One LSTM direction's weights, one matrix per gate (input, forget, output, cell), the
 * three sigmoid gates pre-scaled for hard_sigmoid. Per gate because splitting a [rows ×
 * 4·units] result into gates is a column slice, which costs more than the extra matMuls
 * (2.6 ms a split for 32 rows on the cpu backend, 80 µs on wasm).
 */
interface Direction {
  /** [embedding, units], [units, units] and [units] for each gate. */
  kernels: tf.Tensor2D[];
  recurrents: tf.Tensor2D[];
  biases: tf.Tensor1D[];
  backwards: boolean;
}

export interface LeanChatOutputs {
  /** [n × 3] in the model's sentiment output order. */
  sentiment: Float32Array;
  toxicity: Float32Array;
}

function unsupported(why: string): never {
  throw new Error(`lean forward pass: ${why}`);
}

/**
 * Index of the first real token of each of `n` pre-padded rows of `ids` (the sequence length
 * when a row is all padding): how many leading steps a row skips.
 */
export function firstTokens(ids: Int32Array, n: number): Int32Array {
  const len = ids.length / n;
  const first = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let f = 0;
    while (f < len && ids[r * len + f] === 0) f++;
    first[r] = f;
  }
  return first;
}

export class LeanChatModel {
  private constructor(
    private readonly embedding: tf.Tensor2D,
    private readonly directions: readonly Direction[],
    private readonly units: number,
    /** 'hard' folds hard_sigmoid into the weights (clip only); 'sigmoid' applies it. */
    private readonly gate: 'hard' | 'sigmoid',
    private readonly wordEmbedding: tf.Tensor2D | null,
    /** Both heads side by side: [features, 3 + 1]. */
    private readonly headKernel: tf.Tensor2D,
    private readonly headBias: tf.Tensor1D,
  ) {}

  /** @throws Error saying what is not understood when `model` is not the topology above. */
  static from(model: tf.LayersModel): LeanChatModel {
    const layer = (name: string, className: string, required = true): tf.layers.Layer | null => {
      const found = model.layers.find((l) => l.name === name) ?? null;
      if (!found) return required ? unsupported(`no '${name}' layer`) : null;
      if (found.getClassName() !== className) unsupported(`'${name}' is a ${found.getClassName()}, expected ${className}`);
      return found;
    };
    const known = new Set(['tokens', 'embedding', 'lstm', 'bilstm', 'word_embedding', 'max_over_words', 'features', 'sentiment', 'toxicity']);
    const extra = model.layers.find((l) => !known.has(l.name));
    if (extra) unsupported(`unknown layer '${extra.name}' (${extra.getClassName()})`);

    const embedding = layer('embedding', 'Embedding')!;
    if (embedding.getConfig().maskZero !== true) unsupported('the embedding does not mask padding');
    const single = layer('lstm', 'LSTM', false);
    const bi = single ? null : layer('bilstm', 'Bidirectional');
    if (bi && bi.getConfig().mergeMode !== 'concat') unsupported(`bidirectional merge mode ${String(bi.getConfig().mergeMode)}`);
    const cell = (single ?? (bi as unknown as { forwardLayer: tf.layers.Layer }).forwardLayer).getConfig();
    if (cell.returnSequences || cell.goBackwards || cell.returnState || cell.stateful) unsupported('the LSTM must return its last state only');
    if (cell.activation !== 'tanh') unsupported(`LSTM activation ${String(cell.activation)}`);
    const gate = cell.recurrentActivation === 'hardSigmoid' ? 'hard' : cell.recurrentActivation === 'sigmoid' ? 'sigmoid' : unsupported(`LSTM recurrent activation ${String(cell.recurrentActivation)}`);
    const units = Number(cell.units);

    const words = layer('word_embedding', 'Embedding', false);
    if (words) {
      layer('max_over_words', 'GlobalMaxPooling1D');
      const features = layer('features', 'Concatenate')!;
      const order = features.inboundNodes[0]?.inboundLayers.map((l) => l.name).join();
      if (order !== `${single ? 'lstm' : 'bilstm'},max_over_words`) unsupported(`features concatenate [${order}]`);
    }
    const sentiment = layer('sentiment', 'Dense')!;
    const toxicity = layer('toxicity', 'Dense')!;
    if (sentiment.getConfig().activation !== 'softmax' || toxicity.getConfig().activation !== 'sigmoid') unsupported('head activations');

    const lstmWeights = (single ?? bi!).getWeights();
    if (!cell.useBias || lstmWeights.length !== (single ? 3 : 6)) unsupported('LSTM weights without bias');
    const [sk, sb] = sentiment.getWeights();
    const [tk, tb] = toxicity.getWeights();
    if (!sb || !tb) unsupported('heads without bias');
    // getWeights() hands out the model's own variables: everything kept here is a new tensor,
    // so disposing this leaves the layers model intact.
    const t = tf.tidy(() => {
      // Keras gate order is [i, f, c, o]; hard_sigmoid's 0.2·x + 0.5 is folded into the
      // weights of i, f and o, so applying it is a clip.
      const gates = (w: tf.Tensor2D, offset: number): tf.Tensor2D[] => [0, 1, 3, 2].map((g) => {
        const block = tf.slice(w, [0, g * units], [-1, units]);
        return g !== 2 && gate === 'hard' ? tf.add(tf.mul(block, 0.2), offset) : block;
      });
      const directions = (single ? [0] : [0, 1]).map((d) => {
        const [k, r, b] = lstmWeights.slice(d * 3, d * 3 + 3) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        return [gates(k, 0), gates(r, 0), gates(b.reshape([1, -1]), 0.5).map((x) => x.reshape([-1]))];
      });
      return {
        embedding: tf.clone(embedding.getWeights()[0]!),
        head: tf.concat([sk!, tk!], 1), headBias: tf.concat([sb, tb]), directions,
      };
    });
    return new LeanChatModel(
      t.embedding as tf.Tensor2D,
      t.directions.map(([kernels, recurrents, biases], d) => ({
        kernels: kernels as tf.Tensor2D[], recurrents: recurrents as tf.Tensor2D[], biases: biases as tf.Tensor1D[], backwards: d === 1,
      })),
      units, gate, words ? tf.clone(words.getWeights()[0]!) as tf.Tensor2D : null, t.head as tf.Tensor2D, t.headBias as tf.Tensor1D,
    );
  }

  /**
   * Scores `n` pre-padded rows of token ids (`ids` is [n × sequence length], id 0 = padding).
   * Every tensor it makes is disposed.
   */
  predict(ids: Int32Array, n: number): LeanChatOutputs {
    const len = ids.length / n;
    if (!Number.isInteger(len) || len < 1) throw new RangeError(`expected n × sequence length ids, got ${ids.length} for ${n} rows`);
    const first = firstTokens(ids, n);
    const start = Math.min(len - 1, ...first);
    const allActive = Math.max(...first);
    const steps = len - start;
    const u = this.units;
    return tf.tidy(() => {
      // Keep one shared pad column when rows have padding: the max over words sees it.
      const from = Math.max(0, start - 1);
      const width = len - from;
      // Step-major token order (step, row), so each step's inputs are one contiguous block.
      const flat = tf.tensor2d(ids, [n, len], 'int32').slice([0, from], [n, width]).transpose().reshape([-1]);
      const embedded = tf.gather(this.embedding, flat);
      const encoded: tf.Tensor2D[] = this.directions.map((d) => {
        // Every step's input projection per gate, in one matMul each: [steps·rows, units], step-major.
        const projected = d.kernels.map((k, g) => tf.add(tf.matMul(embedded, k), d.biases[g]!));
        let h: tf.Tensor2D | null = null;
        let c: tf.Tensor2D | null = null;
        for (let i = 0; i < steps; i++) {
          const t = d.backwards ? steps - 1 - i : i;
          const at = (start - from + t) * n;
          const [zi, zf, zo, zc] = projected.map((x, g) => {
            const input = tf.slice(x, [at, 0], [n, u]);
            return h ? tf.add(tf.matMul(h, d.recurrents[g]!), input) : input;
          }) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          const sigmoid = (z: tf.Tensor2D) => (this.gate === 'hard' ? tf.clipByValue(z, 0, 1) : tf.sigmoid(z));
          const ig = sigmoid(zi);
          const g = tf.tanh(zc);
          let c2: tf.Tensor2D = c ? tf.add(tf.mul(sigmoid(zf), c), tf.mul(ig, g)) : tf.mul(ig, g);
          let h2: tf.Tensor2D = tf.mul(sigmoid(zo), tf.tanh(c2));
          // A row still in its padding keeps its zero state (forwards), or a row past its first
          // token keeps its final one (backwards), as in the masked layers model. Most steps have
          // every row active. (Multiplying by the mask: tf.where costs 10× as much here.)
          const abs = start + t;
          if (abs < allActive) {
            const active = tf.tensor2d(Float32Array.from(first, (f) => (abs >= f ? 1 : 0)), [n, 1]);
            if (!d.backwards || !c || !h) {
              c2 = tf.mul(c2, active);
              h2 = tf.mul(h2, active);
            } else {
              c2 = tf.add(c, tf.mul(tf.sub(c2, c), active));
              h2 = tf.add(h, tf.mul(tf.sub(h2, h), active));
            }
          }
          h = h2;
          c = c2;
        }
        return h!;
      });
      const features = [...encoded];
      if (this.wordEmbedding) features.push(tf.gather(this.wordEmbedding, flat).reshape([width, n, -1]).max(0) as tf.Tensor2D);
      const logits = tf.add(tf.matMul(features.length === 1 ? features[0]! : tf.concat(features, 1), this.headKernel), this.headBias);
      const [s, x] = tf.split(logits, [logits.shape[1]! - 1, 1], 1);
      return { sentiment: tf.softmax(s!).dataSync() as Float32Array, toxicity: tf.sigmoid(x!).dataSync() as Float32Array };
    });
  }

  dispose(): void {
    tf.dispose([this.embedding, this.headKernel, this.headBias, ...this.directions.flatMap((d) => [...d.kernels, ...d.recurrents, ...d.biases])]);
    if (this.wordEmbedding) this.wordEmbedding.dispose();
  }
}

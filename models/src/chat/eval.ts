/**
 * Held-out evaluation of a chat model artifact, side by side with the AFINN and obscenity
 * baselines on the same lines.
 *
 *   npm run eval -- chat [--model models/chat/v4] [--split test] [--corpus …] [--write-card] [--against DIR]
 *
 * Prints the metrics table; `--write-card` also rewrites the artifact's MODEL_CARD.md and
 * the `evaluation` block of its metadata.json from the fresh numbers; `--against` compares
 * the model with another artifact on the same lines, with paired intervals of the differences.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../runtime/index.js';
import { afinnScore, afinnSentiment, obscenityFlags, pickAfinnToxicThreshold } from './baselines.js';
import { ChatClassifier, DEFAULT_CHAT_MODEL_DIR, METADATA_JSON, type ChatModelMetadata } from './classifier.js';
import { readChatCorpus, type ChatExample, type Split } from './corpus.js';
import type { Sentiment } from './corpusTemplates.js';
import { binaryReport, classificationReport, clusterBootstrapInterval, type BinaryReport, type Interval } from '../metrics.js';
import { SENTIMENT_LABELS } from './model.js';

/** Targets from the brief; the card marks each metric against them. */
export const CHAT_TARGETS = { sentimentMacroF1: 0.85, toxicityF1: 0.9, identityFpr: 0.05 } as const;

/** One system's numbers on one split. Sentiment fields are null for obscenity (it has none). */
export interface SystemMetrics {
  sentimentMacroF1: number | null;
  sentimentAccuracy: number | null;
  /** F1 per sentiment, in SENTIMENT_LABELS order. */
  sentimentF1: number[] | null;
  toxicity: BinaryReport;
  /** False-positive rate on lines tagged `identity` that are not toxic. */
  identityFpr: number;
  /** Toxic recall on toxic lines tagged `identity` (hate and slurs about a group). */
  identityRecall: number;
  /** Toxic recall on toxic lines tagged `evasion`. */
  evasionRecall: number;
  /** False-positive rate on non-toxic lines with profanity (`holy shit nice shot`). */
  profanityFpr: number;
  /** Sentiment accuracy on lines tagged `negation` (null without sentiment). */
  negationAccuracy: number | null;
}

export interface ChatEvaluation {
  split: Split;
  lines: number;
  toxicLines: number;
  identityCleanLines: number;
  model: SystemMetrics;
  afinn: SystemMetrics;
  obscenity: SystemMetrics;
  /**
   * 95 % intervals of the model's targeted figures: a bootstrap over the split's templates
   * ({@link BOOTSTRAP}), the spread another set of unseen templates of the same kinds would give.
   */
  intervals: { sentimentMacroF1: Interval; toxicityF1: Interval; identityFpr: Interval };
  /** The AFINN score at or below which the AFINN baseline calls a line toxic (picked on val). */
  afinnToxicThreshold: number;
  /** Held-out lines the model got wrong (first few), for the card's "known limits". */
  modelErrors: Array<{ text: string; truth: string; predicted: string }>;
}

function sentimentIndex(s: Sentiment): number {
  return SENTIMENT_LABELS.indexOf(s);
}

function rate(flags: readonly boolean[], select: readonly boolean[]): number {
  let n = 0, k = 0;
  select.forEach((on, i) => {
    if (!on) return;
    n++;
    if (flags[i]) k++;
  });
  return n === 0 ? 0 : k / n;
}

function systemMetrics(examples: readonly ChatExample[], sentiment: readonly number[] | null, toxic: readonly boolean[]): SystemMetrics {
  const truthS = examples.map((e) => sentimentIndex(e.sentiment));
  const truthT = examples.map((e) => e.toxic);
  const s = sentiment ? classificationReport(truthS, sentiment, SENTIMENT_LABELS) : null;
  const negation = examples.map((e) => e.tags.includes('negation'));
  const negCorrect = sentiment ? examples.map((_, i) => sentiment[i] === truthS[i]) : null;
  return {
    sentimentMacroF1: s?.macroF1 ?? null,
    sentimentAccuracy: s?.accuracy ?? null,
    sentimentF1: s ? s.perClass.map((c) => c.f1) : null,
    toxicity: binaryReport(truthT, toxic),
    identityFpr: rate(toxic, examples.map((e) => e.toxic === 0 && e.tags.includes('identity'))),
    identityRecall: rate(toxic, examples.map((e) => e.toxic === 1 && e.tags.includes('identity'))),
    evasionRecall: rate(toxic, examples.map((e) => e.toxic === 1 && e.tags.includes('evasion'))),
    profanityFpr: rate(toxic, examples.map((e) => e.toxic === 0 && e.tags.includes('profanity'))),
    negationAccuracy: negCorrect ? rate(negCorrect, negation) : null,
  };
}

/** How the intervals are drawn: templates resampled within their template group, seeded. */
export const BOOTSTRAP = { resamples: 1000, seed: 1, level: 0.95 } as const;

/** The targeted figures: each a function of the lines it is computed over (indices into the split's examples). */
type Figure = 'sentimentMacroF1' | 'toxicityF1' | 'identityFpr';
type FigureFunctions = Record<Figure, (lines: readonly number[]) => number>;

function figureFunctions(examples: readonly ChatExample[], sentiment: readonly number[], toxic: readonly boolean[]): FigureFunctions {
  const truthS = examples.map((e) => sentimentIndex(e.sentiment));
  const identityClean = examples.map((e) => e.toxic === 0 && e.tags.includes('identity'));
  return {
    sentimentMacroF1: (lines) => classificationReport(lines.map((i) => truthS[i]!), lines.map((i) => sentiment[i]!), SENTIMENT_LABELS).macroF1,
    toxicityF1: (lines) => binaryReport(lines.map((i) => examples[i]!.toxic), lines.map((i) => toxic[i]!)).f1,
    identityFpr: (lines) => rate(lines.map((i) => toxic[i]!), lines.map((i) => identityClean[i]!)),
  };
}

/** The split's lines as the bootstrap draws them: per template group, per template, its lines. */
function templateStrata(examples: readonly ChatExample[]): number[][][] {
  const byGroup = new Map<string, Map<string, number[]>>();
  examples.forEach((e, i) => {
    const group = e.template.slice(0, e.template.lastIndexOf('/'));
    const templates = byGroup.get(group) ?? byGroup.set(group, new Map()).get(group)!;
    const lines = templates.get(e.template) ?? templates.set(e.template, []).get(e.template)!;
    lines.push(i);
  });
  return [...byGroup.values()].map((t) => [...t.values()]);
}

/** `statistic`'s interval for each figure, over the same resamples of `examples`' templates. */
function figureIntervals(examples: readonly ChatExample[], statistic: (figure: Figure) => (lines: readonly number[]) => number): Record<Figure, Interval> {
  const strata = templateStrata(examples);
  const interval = (f: Figure): Interval => clusterBootstrapInterval(strata, statistic(f), BOOTSTRAP);
  return { sentimentMacroF1: interval('sentimentMacroF1'), toxicityF1: interval('toxicityF1'), identityFpr: interval('identityFpr') };
}

/** One model's figures against another's on the same lines: both, and the paired interval of the difference. */
export interface ChatComparison {
  split: Split;
  figures: Record<Figure, { model: number; other: number; difference: Interval }>;
}

/**
 * Compares `model` with `other` on the `split` lines: each figure for both, and a 95 %
 * interval of model − other from the same template resamples for both (paired, so what
 * the two share cancels). An interval that holds 0 says the held-out lines cannot tell them apart.
 */
export function compareChat(model: ChatClassifier, other: ChatClassifier, corpus: readonly ChatExample[], split: Split = 'test'): ChatComparison {
  const examples = corpus.filter((e) => e.split === split);
  if (examples.length === 0) throw new Error(`the corpus has no '${split}' lines`);
  const texts = examples.map((e) => e.text);
  const [a, b] = [model, other].map((c) => {
    const scores = c.score(texts);
    return figureFunctions(examples, scores.map((s) => sentimentIndex(s.sentiment)), scores.map((s) => s.toxic));
  }) as [FigureFunctions, FigureFunctions];
  const difference = figureIntervals(examples, (f) => (lines) => a[f](lines) - b[f](lines));
  const all = examples.map((_, i) => i);
  const entry = (f: Figure) => ({ model: a[f](all), other: b[f](all), difference: difference[f] });
  return { split, figures: { sentimentMacroF1: entry('sentimentMacroF1'), toxicityF1: entry('toxicityF1'), identityFpr: entry('identityFpr') } };
}

/**
 * Evaluates `classifier` and both baselines on the `split` lines of `corpus`. The AFINN
 * toxicity threshold is picked on the corpus's val lines.
 */
export function evaluateChat(classifier: ChatClassifier, corpus: readonly ChatExample[], split: Split = 'test'): ChatEvaluation {
  const examples = corpus.filter((e) => e.split === split);
  if (examples.length === 0) throw new Error(`the corpus has no '${split}' lines`);
  const val = corpus.filter((e) => e.split === 'val');
  const afinnToxicThreshold = pickAfinnToxicThreshold(val.map((e) => afinnScore(e.text)), val.map((e) => e.toxic));

  const scores = classifier.score(examples.map((e) => e.text));
  const modelSent = scores.map((s) => sentimentIndex(s.sentiment));
  const modelTox = scores.map((s) => s.toxic);
  const afinnScores = examples.map((e) => afinnScore(e.text));

  const modelErrors = examples.flatMap((e, i) => {
    const s = scores[i]!;
    if (s.sentiment === e.sentiment && s.toxic === (e.toxic === 1)) return [];
    return [{ text: e.text, truth: `${e.sentiment}${e.toxic ? '+toxic' : ''}`, predicted: `${s.sentiment}${s.toxic ? '+toxic' : ''}` }];
  });
  const figures = figureFunctions(examples, modelSent, modelTox);
  return {
    split,
    lines: examples.length,
    toxicLines: examples.filter((e) => e.toxic === 1).length,
    identityCleanLines: examples.filter((e) => e.toxic === 0 && e.tags.includes('identity')).length,
    model: systemMetrics(examples, modelSent, modelTox),
    intervals: figureIntervals(examples, (f) => figures[f]),
    afinn: systemMetrics(examples, afinnScores.map((s) => sentimentIndex(afinnSentiment(s))), afinnScores.map((s) => s <= afinnToxicThreshold)),
    obscenity: systemMetrics(examples, null, examples.map((e) => obscenityFlags(e.text))),
    afinnToxicThreshold,
    modelErrors,
  };
}

const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const num = (v: number | null): string => (v === null ? '—' : v.toFixed(3));

/** The metrics table (markdown), model first (with its intervals, see {@link BOOTSTRAP}), targets last. */
export function metricsTable(e: ChatEvaluation): string {
  const iv = e.intervals;
  const rows: Array<[string, (m: SystemMetrics) => string, string, string?]> = [
    ['Sentiment macro-F1', (m) => num(m.sentimentMacroF1), `≥ ${CHAT_TARGETS.sentimentMacroF1}`, `${num(iv.sentimentMacroF1.low)}–${num(iv.sentimentMacroF1.high)}`],
    ['Sentiment accuracy', (m) => num(m.sentimentAccuracy), ''],
    ['Sentiment F1 positive / neutral / negative', (m) => (m.sentimentF1 ? m.sentimentF1.map((v) => v.toFixed(2)).join(' / ') : '—'), ''],
    ['Toxicity precision', (m) => num(m.toxicity.precision), ''],
    ['Toxicity recall', (m) => num(m.toxicity.recall), ''],
    ['Toxicity F1', (m) => num(m.toxicity.f1), `≥ ${CHAT_TARGETS.toxicityF1}`, `${num(iv.toxicityF1.low)}–${num(iv.toxicityF1.high)}`],
    ['Toxicity false-positive rate (all clean lines)', (m) => pct(m.toxicity.falsePositiveRate), ''],
    [`Identity FPR (${e.identityCleanLines} clean identity lines)`, (m) => pct(m.identityFpr), `≤ ${CHAT_TARGETS.identityFpr * 100} %`, `${pct(iv.identityFpr.low)}–${pct(iv.identityFpr.high)}`],
    ['Toxic recall on identity lines (hate about a group)', (m) => pct(m.identityRecall), ''],
    ['Toxic recall on evaded lines', (m) => pct(m.evasionRecall), ''],
    ['FPR on clean lines with profanity', (m) => pct(m.profanityFpr), ''],
    ['Sentiment accuracy on negation lines', (m) => pct(m.negationAccuracy), ''],
  ];
  const head = `| ${e.split} split (${e.lines} lines, ${e.toxicLines} toxic) | chat LSTM | AFINN (toxic if score ≤ ${e.afinnToxicThreshold}) | obscenity | target |\n|---|---|---|---|---|`;
  return [head, ...rows.map(([name, f, target, interval]) => `| ${name} | ${f(e.model)}${interval ? ` (${interval})` : ''} | ${f(e.afinn)} | ${f(e.obscenity)} | ${target} |`)].join('\n');
}

/** A comparison as a markdown table: both figures, and the difference's interval. */
export function comparisonTable(c: ChatComparison, modelName: string, otherName: string): string {
  const rows: Array<[string, Figure, (v: number) => string]> = [
    ['Sentiment macro-F1', 'sentimentMacroF1', num], ['Toxicity F1', 'toxicityF1', num], ['Identity FPR', 'identityFpr', pct],
  ];
  const signed = (v: number, fmt: (v: number) => string) => `${v >= 0 ? '+' : '−'}${fmt(Math.abs(v))}`;
  return [
    `| ${c.split} split | ${modelName} | ${otherName} | difference (95 %, paired over templates) |`, '|---|---|---|---|',
    ...rows.map(([name, f, fmt]) => {
      const x = c.figures[f];
      return `| ${name} | ${fmt(x.model)} | ${fmt(x.other)} | ${signed(x.model - x.other, fmt)} (${signed(x.difference.low, fmt)} to ${signed(x.difference.high, fmt)}) |`;
    }),
  ].join('\n');
}

/** Whether the model meets every target and beats both baselines on each targeted metric. */
export function meetsTargets(e: ChatEvaluation): { ok: boolean; failures: string[] } {
  const failures: string[] = [];
  const m = e.model;
  if ((m.sentimentMacroF1 ?? 0) < CHAT_TARGETS.sentimentMacroF1) failures.push(`sentiment macro-F1 ${num(m.sentimentMacroF1)} < ${CHAT_TARGETS.sentimentMacroF1}`);
  if (m.toxicity.f1 < CHAT_TARGETS.toxicityF1) failures.push(`toxicity F1 ${num(m.toxicity.f1)} < ${CHAT_TARGETS.toxicityF1}`);
  if (m.identityFpr > CHAT_TARGETS.identityFpr) failures.push(`identity FPR ${pct(m.identityFpr)} > ${CHAT_TARGETS.identityFpr * 100} %`);
  for (const [name, b] of [['AFINN', e.afinn], ['obscenity', e.obscenity]] as const) {
    if (b.sentimentMacroF1 !== null && (m.sentimentMacroF1 ?? 0) <= b.sentimentMacroF1) failures.push(`sentiment macro-F1 not above ${name}`);
    if (m.toxicity.f1 <= b.toxicity.f1) failures.push(`toxicity F1 not above ${name}`);
    if (m.identityFpr > b.identityFpr) failures.push(`identity FPR worse than ${name}`);
  }
  return { ok: failures.length === 0, failures };
}

/** Trimmed evaluation for metadata.json (no per-line errors). */
export function evaluationSummary(e: ChatEvaluation): Omit<ChatEvaluation, 'modelErrors'> {
  const { modelErrors: _errors, ...rest } = e;
  return rest;
}

/** The artifact's MODEL_CARD.md. */
type CardCorpus = Record<string, unknown>;

function splitLines(c: CardCorpus): string {
  const by = c.bySplit as Record<string, number>;
  return `Lines: train ${String(by.train)}, val ${String(by.val)}, test ${String(by.test)}.`;
}

/** The card's Data section for the corpus that models/src/chat/corpus.ts generates. */
function generatedCorpusData(c: CardCorpus): string {
  return `\`${String(c.path)}\` — ${String(c.lines)} labelled lines written for this project, generated by
\`models/src/chat/corpus.ts\` (seed ${String(c.seed)}) from ${String(c.templates)} hand-written templates
(\`corpusTemplates.ts\`, \`corpusTemplatesTrainOnly.ts\`): praise, sportsmanship ("gg", "gg wp"), callouts, questions, complaints about the
game, self-deprecation, profanity that is not aimed at anyone, game violence ("kill the boss"),
negation ("not bad", "you're not trash"), counter-speech, insults, taunts, threats, sexual
harassment, and identity terms (${String(c.identityGroups)} groups) used neutrally, positively, supportively
and hatefully — each group appears in every kind of frame, so naming a group carries no signal.
About a quarter of the lines carry one filter evasion (l33t, s p a c i n g, repeated letterrrs,
f*ck masks, mixed case, homoglyphs, zero-width characters, accents, run-together words), on
clean lines too.

Labelling policy: **toxic** = insults, taunts, harassment, threats, sexual harassment and hate
aimed at a person or group. **"gg ez" and other taunts ("ez", "get rekt", "cry more") are
toxic** — friendly-sounding banter, but its point is to belittle the other side, and it is
the most reported kind of message in co-op games. "gg", "gg wp", "glhf" are positive and
clean; "noob" is toxic aimed at someone ("you noob") and clean about oneself ("noob question").
Profanity at the game or at oneself is clean ("fuck this lag", "holy shit nice shot"), so is
quoting an insult to object to it. Toxic lines are negative; sentiment is otherwise the
writer's attitude.

Split by **template**, not by line: ~15 % of each template group's templates are test, ~12 %
val${Number(c.trainOnlyTemplates ?? 0) > 0 ? ` (except ${String(c.trainOnlyTemplates)} extra templates written after the split, all in train, so the
held-out frames stay as they were)` : ''}; then every val/test line whose words overlap a train line's with Jaccard ≥ 0.8 is
dropped (${String(c.nearDuplicatesDropped)} dropped)${Number(c.trainOnlyNearHeldOutDropped ?? 0) > 0 ? `, and every line of an extra template that close to a
kept val/test line is dropped from train instead (${String(c.trainOnlyNearHeldOutDropped)} dropped), so extra frames never change the held-out lines` : ''}.${Number(c.counterfactualLines ?? 0) > 0 ? `
Train only: ${String(c.counterfactualLines)} **counterfactual** identity copies (one expansion of a train frame written
out with several groups, everything else identical, so the group word carries no label).` : ''}${Number(c.quotedLines ?? 0) > 0 ? `
Train only: ${String(c.quotedLines)} **quoted** lines (a line of a toxic train frame inside a frame that reports or
rejects it — "stop saying …", "reported him for saying …" — clean counter-speech).` : ''}${Number(c.counterfactualLines ?? 0) + Number(c.quotedLines ?? 0) > 0 ? ' Val and test lines are never altered or copied.' : ''} ${splitLines(c)}
Corpus sha256 \`${String(c.sha256)}\`.`;
}

/** The card's Data section for a corpus given with --corpus: only what its lines tell. */
function givenCorpusData(c: CardCorpus): string {
  return `\`${String(c.path)}\` — ${String(c.lines)} labelled lines from ${String(c.templates)} templates, given with \`--corpus\`
(not the corpus that \`models/src/chat/corpus.ts\` generates): its splits are the ones written in the file.
${splitLines(c)}
Corpus sha256 \`${String(c.sha256)}\`.`;
}

export function renderModelCard(meta: ChatModelMetadata, e: ChatEvaluation): string {
  const t = meta.training as Record<string, unknown>;
  const a = meta.architecture as Record<string, unknown>;
  const c = meta.corpus as Record<string, unknown>;
  const targets = meetsTargets(e);
  const errors = e.modelErrors.slice(0, 12).map((x) => `| ${x.text.replace(/\|/g, '\\|')} | ${x.truth} | ${x.predicted} |`).join('\n');
  return `# Chat sentiment / toxicity model — v${meta.version}

Scores every chat message for **sentiment** (positive / neutral / negative) and **toxicity**
(abuse aimed at a person or group). Used by the server's chat pipeline after the word
filter; flagged messages go to the moderator queue.

## Use

\`\`\`ts
import { initBackend } from 'models/src/runtime/index.js';
import { ChatClassifier } from 'models/src/chat/index.js';
await initBackend();
const chat = await ChatClassifier.load('models/chat/v${meta.version}');
chat.score(['gg ez noobs', 'nice shot!']);   // [{ sentiment, sentimentProbabilities, toxicity, toxic }, …]
\`\`\`

Raw text in: the shared normalizer (\`shared/src/chat/normalize.ts\`) and tokenizer
(\`shared/src/chat/tokenize.ts\`, vocabulary in \`vocab.json\`) run inside \`score\`, exactly as
in training. A message is toxic when its toxicity probability is ≥ **${meta.toxicThreshold}**${meta.identityToxicThreshold !== undefined && meta.identityToxicThreshold !== meta.toxicThreshold ? `,
or ≥ **${meta.identityToxicThreshold}** when it names an identity group (one of the 26 groups' words among its
normalized words: \`models/src/chat/identity.ts\`). The model's errors concentrate on such lines — it
confuses hate about a group with support for it — so it needs more confidence there before it calls
someone's line toxic. Both were picked together on the validation split: the best F1 with identity
false positives ≤ 3 %.` : `
(picked on the validation split: best F1 with identity false positives ≤ 3 %).`}

## Model

${Number(t.ensemble ?? 1) > 1 ? `An ensemble of ${String(t.ensemble)} independently trained models (seeds ${String(t.seed)}…${String(Number(t.seed) + Number(t.ensemble) - 1)}, same data and vocabulary) in one graph on the same
input; their sentiment and toxicity probabilities are averaged. Each member:

` : ''}Embedding ${String(a.vocabSize)}×${String(a.embeddingDim)}${a.pooling === 'last' ? ' (id 0 masked)' : ''}${a.lexiconPrior ? ' (three columns seeded from the AFINN and obscenity lexicons)' : ''}
→ ${a.bidirectional ? 'bidirectional ' : ''}LSTM ${String(a.lstmUnits)}${a.bidirectional ? ' per direction' : ''}${a.pooling === 'max' ? ', max over time' : ', last state'}${a.bagOfWords ? ', beside the max over the word embeddings' : ''}
→ two heads: softmax(3) sentiment, sigmoid toxicity. ${String(a.parameters)} parameters${Number(t.ensemble ?? 1) > 1 ? ' in all' : ''}, input ${String(a.sequenceLength)} token ids
(pre-padded; long messages keep their first ${String(a.sequenceLength)} words).${meta.ngrams ? `

Beside it, two **n-gram readers** (\`models/src/chat/ngrams.ts\`, weights in \`${meta.ngrams.file}\`${meta.sentimentNgrams ? ` and \`${meta.sentimentNgrams.file}\`` : ''}):
logistic regression over ${meta.ngrams.features}, ${meta.ngrams.buckets} buckets, trained on
the train split (seeded SGD, 8 epochs): a sigmoid for toxicity${meta.sentimentNgrams ? ' and a softmax for sentiment' : ''}. The served toxicity is
${(1 - meta.ngrams.weight).toFixed(1)} × the LSTM's + ${meta.ngrams.weight} × the reader's${meta.sentimentNgrams ? `, the served sentiment ${(1 - meta.sentimentNgrams.weight).toFixed(1)} × the LSTM's +
${meta.sentimentNgrams.weight} × the reader's` : ''} (each weight picked on val; the toxicity one with the thresholds). Why: the
LSTM's held-out errors are whole sentence frames it never saw; word pairs ("you suck") are read
wherever they stand, and the two err on different lines.` : ''}

## Data

${c.generated === false ? givenCorpusData(c) : generatedCorpusData(c)}

## Training

Backend ${String(t.backend)}, seed ${String(t.seed)}, Adam lr ${String(t.learningRate)}, batch ${String(t.batchSize)},
${Number(t.ensemble ?? 1) > 1 ? `${String(t.ensemble)} members trained one after the other, ${String(t.epochsRun)} epochs in all (each at most ${String(t.epochs)}; best val epochs ${(t.bestEpochs as number[] | undefined)?.join(', ') ?? ''}, early stopping patience ${String(t.patience)}),` : `${String(t.epochsRun)} of at most ${String(t.epochs)} epochs (best val epoch ${String(t.bestEpoch)}, early stopping patience ${String(t.patience)}),`}
word dropout ${String(t.wordDropout)} (ids replaced by the OOV id), ${Number(t.toxicityLossWeight ?? 1) === 1 ? 'equal loss weights on both heads' : `toxicity loss weighted ${String(t.toxicityLossWeight)}× the sentiment loss`};
vocabulary: train-split words seen ≥ ${String(t.minCount)} times, at most ${String(t.maxVocabulary)} ids. Training took
${String(t.seconds)} s on ${String(t.machine)}. Deterministic: same seed → same weights (v2's weights.bin came out
byte for byte the same on 2 × AMD EPYC and on 2 × Intel Xeon; the LSTM of v3 and of v4 is v2's, byte for byte).

Reproduce:

\`\`\`
${c.generated === false ? '' : `node --import tsx models/src/chat/corpus.ts          # regenerates the committed corpus (identical)
`}nice npm run train -- chat --seed ${String(t.seed)} --epochs ${String(t.epochs)}${c.generated === false ? ` --corpus ${String(c.path)}` : ''} --out models/chat/v${meta.version}
npm run eval -- chat --model models/chat/v${meta.version}${c.generated === false ? ` --corpus ${String(c.path)}` : ''}
\`\`\`

## Held-out metrics (test split, unseen templates)

${metricsTable(e)}

Targets ${targets.ok ? 'met, and above both baselines on each targeted metric' : `NOT met: ${targets.failures.join('; ')}`}.
Baselines see the raw text; obscenity has no sentiment output. In brackets: 95 % intervals from
${BOOTSTRAP.resamples} bootstrap resamples of the split's templates within each template group (seed ${BOOTSTRAP.seed}). One
template's lines are right or wrong together, so the templates, not the lines, are the
independent evidence: this is the spread another set of unseen frames of the same kinds would
give, and a change to the model that moves a figure by less than it may be chance.

## Known limits

- English only; the normalizer drops letters it cannot fold to ASCII.${meta.identityToxicThreshold !== undefined && meta.identityToxicThreshold !== meta.toxicThreshold ? `
- The stricter threshold for lines that name a group trades recall there for fewer false
  flags on people naming their own group: toxic recall on identity lines is the weakest figure
  above. Lines between the two thresholds that name a group are delivered unmasked; the
  hold and block thresholds of the chat policy are the same for every line.` : ''}
- The corpus is synthetic: template frames written by one team. Real chat is more varied —
  sarcasm, in-jokes, context across several messages, non-standard spellings not in the
  corpus. Expect lower numbers on real traffic; use the moderator queue's decisions to build
  a real evaluation set before trusting the scores for automatic punishment.
- The corpus contains no racial or homophobic slurs by design; slurs reach the model as
  unknown words and must be caught by the word filter that runs before it.
- Quoted insults in counter-speech ("dont call him a noob") and hateful frames that reuse
  supportive wording are the hardest cases; the examples below include such errors.
- Evasions the normalizer cannot undo without a dictionary (masked vowels "f*ck" → "fck",
  trailing l33t digits) only work when the training data had the same spelling.
- Messages longer than ${String(a.sequenceLength)} words are cut.

Examples of held-out mistakes (truth → predicted):

| text | truth | predicted |
|---|---|---|
${errors}
`;
}

/** CLI: `npm run eval -- chat [--model dir] [--split test|val] [--corpus file] [--write-card]`. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: DEFAULT_CHAT_MODEL_DIR },
      split: { type: 'string', default: 'test' },
      corpus: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      'write-card': { type: 'boolean', default: false },
      against: { type: 'string' },
    },
    strict: true,
  });
  if (values.split !== 'test' && values.split !== 'val' && values.split !== 'train') throw new Error('--split must be train, val or test');
  await initBackend(values.backend as 'wasm');
  const dir = path.resolve(values.model);
  const classifier = await ChatClassifier.load(dir);
  const corpus = await readChatCorpus(values.corpus);
  const evaluation = evaluateChat(classifier, corpus, values.split);
  if (values.against) {
    const otherDir = path.resolve(values.against);
    const other = await ChatClassifier.load(otherDir);
    console.log(comparisonTable(compareChat(classifier, other, corpus, values.split), path.relative('.', dir), path.relative('.', otherDir)), '\n');
    other.dispose();
  }
  classifier.dispose();
  console.log(metricsTable(evaluation));
  const verdict = meetsTargets(evaluation);
  console.log(verdict.ok ? '\nall targets met, above both baselines' : `\ntargets not met:\n  ${verdict.failures.join('\n  ')}`);
  if (values['write-card']) {
    const metaPath = path.join(dir, METADATA_JSON);
    const meta = JSON.parse(await readFile(metaPath, 'utf8')) as ChatModelMetadata;
    if (values.split === 'test') meta.evaluation = evaluationSummary(evaluation);
    await writeFile(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
    await writeFile(path.join(dir, 'MODEL_CARD.md'), renderModelCard(meta, evaluation));
    console.log(`rewrote ${path.join(dir, 'MODEL_CARD.md')}`);
  }
}

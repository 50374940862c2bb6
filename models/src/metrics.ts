/**
 * Classification metrics of both models' evaluations and model cards: accuracy, per-class
 * precision / recall / F1, macro-F1 (the unweighted mean of per-class F1, so a rare class
 * counts as much as a common one), the confusion matrix, and binary counts and rates (the
 * chat model's toxicity, a baseline's flags), and a cluster bootstrap for their intervals.
 */
import { createRng } from './runtime/rng.js';

export interface ClassMetrics {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  /** True samples of this class. */
  support: number;
}

export interface ClassificationReport {
  count: number;
  accuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
  /** confusion[true][predicted] = samples. */
  confusion: number[][];
}

/**
 * @param truth true class index per sample
 * @param predicted predicted class index per sample
 * @throws RangeError if lengths differ or an index is outside the class list.
 */
export function classificationReport(
  truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: readonly string[],
): ClassificationReport {
  if (truth.length !== predicted.length) {
    throw new RangeError(`${truth.length} true labels but ${predicted.length} predictions`);
  }
  const k = classes.length;
  const confusion = classes.map(() => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!, p = predicted[i]!;
    if (!(t >= 0 && t < k && p >= 0 && p < k)) throw new RangeError(`sample ${i}: class index out of range (${t}, ${p})`);
    confusion[t]![p]!++;
    if (t === p) correct++;
  }
  const perClass = classes.map((name, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = predictedCount === 0 ? 0 : tp / predictedCount;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { name, precision, recall, f1, support };
  });
  const present = perClass.filter((c) => c.support > 0);
  return {
    count: truth.length,
    accuracy: truth.length === 0 ? 0 : correct / truth.length,
    macroF1: present.length === 0 ? 0 : present.reduce((a, c) => a + c.f1, 0) / present.length,
    perClass,
    confusion,
  };
}

/** Index of the largest value in each row of a row-major [rows × cols] matrix. */
export function argmaxRows(values: ArrayLike<number>, cols: number): Uint8Array {
  const rows = Math.floor(values.length / cols);
  const out = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c]! > values[r * cols + best]!) best = c;
    out[r] = best;
  }
  return out;
}

const pct = (v: number): string => (v * 100).toFixed(1);

/** The confusion matrix as a Markdown table (rows: true class, columns: predicted). */
export function confusionMarkdown(report: ClassificationReport): string {
  const names = report.perClass.map((c) => c.name);
  const lines = [
    `| true \\ predicted | ${names.join(' | ')} |`,
    `|---|${names.map(() => '---:').join('|')}|`,
    ...report.confusion.map((row, i) => `| **${names[i]}** | ${row.join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** Per-class precision/recall/F1 as a Markdown table. */
export function perClassMarkdown(report: ClassificationReport): string {
  return [
    '| class | precision | recall | F1 | windows |',
    '|---|---:|---:|---:|---:|',
    ...report.perClass.map((c) => `| ${c.name} | ${pct(c.precision)} % | ${pct(c.recall)} % | ${pct(c.f1)} % | ${c.support} |`),
  ].join('\n');
}

/** A compact plain-text summary for CLI output. */
export function reportText(report: ClassificationReport): string {
  const names = report.perClass.map((c) => c.name);
  const w = Math.max(10, ...names.map((n) => n.length));
  const head = `${'true\\pred'.padEnd(w)} ${names.map((n) => n.slice(0, 8).padStart(8)).join(' ')}   recall`;
  const rows = report.confusion.map((row, i) =>
    `${names[i]!.padEnd(w)} ${row.map((v) => String(v).padStart(8)).join(' ')}   ${pct(report.perClass[i]!.recall).padStart(5)} %`);
  return [
    `windows ${report.count}  accuracy ${pct(report.accuracy)} %  macro-F1 ${pct(report.macroF1)} %`,
    head, ...rows,
  ].join('\n');
}

/** Binary classification counts and rates (positive class = 1). */
export interface BinaryReport {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** fp / (fp + tn): share of negatives flagged. 0 when there are no negatives. */
  falsePositiveRate: number;
}

function safeDiv(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** @throws RangeError if the arrays differ in length. */
export function binaryReport(truth: ArrayLike<number>, predicted: ArrayLike<boolean | number>): BinaryReport {
  if (truth.length !== predicted.length) throw new RangeError(`truth has ${truth.length} labels, predictions ${predicted.length}`);
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] === 1;
    const p = Boolean(predicted[i]);
    if (t && p) tp++;
    else if (!t && p) fp++;
    else if (!t && !p) tn++;
    else fn++;
  }
  const precision = safeDiv(tp, tp + fp);
  const recall = safeDiv(tp, tp + fn);
  return { tp, fp, tn, fn, precision, recall, f1: safeDiv(2 * precision * recall, precision + recall), falsePositiveRate: safeDiv(fp, fp + tn) };
}

/** A two-sided interval around a metric. */
export interface Interval {
  low: number;
  high: number;
}

export interface ClusterBootstrapOptions {
  /** Resamples drawn (default 1000). */
  resamples?: number;
  /** Coverage of the interval, e.g. 0.95 (default). */
  level?: number;
  /** Seed of the resampling (default 1): the same inputs and seed give the same interval. */
  seed?: number;
}

/**
 * Percentile interval of `statistic` under a stratified cluster bootstrap: within each
 * stratum, its clusters are drawn with replacement as many times as it has clusters, and
 * the statistic is computed over the drawn clusters' samples (a cluster drawn twice counts
 * twice).
 *
 * Why clusters: held-out chat lines are expanded from templates, and one template's lines
 * are right or wrong together, so resampling lines would pretend to far more independent
 * evidence than there is. Strata keep each kind of template at its share, as the split did.
 *
 * @param strata per stratum, its clusters; per cluster, the indices of its samples
 * @param statistic the metric over a list of sample indices (may repeat indices)
 * @throws RangeError on no clusters, an empty cluster, or options out of range.
 */
export function clusterBootstrapInterval(
  strata: ReadonlyArray<ReadonlyArray<readonly number[]>>,
  statistic: (samples: readonly number[]) => number,
  options: ClusterBootstrapOptions = {},
): Interval {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 2 || resamples > 1_000_000) throw new RangeError(`resamples must be an integer in [2, 1000000], got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const kept = strata.filter((s) => s.length > 0);
  if (kept.length === 0) throw new RangeError('the bootstrap needs at least one cluster');
  if (kept.some((s) => s.some((c) => c.length === 0))) throw new RangeError('every cluster needs at least one sample');
  const rng = createRng(options.seed ?? 1);
  const values = new Float64Array(resamples);
  const drawn: number[] = [];
  for (let r = 0; r < resamples; r++) {
    drawn.length = 0;
    for (const clusters of kept) {
      for (let k = 0; k < clusters.length; k++) {
        for (const i of clusters[rng.int(clusters.length)]!) drawn.push(i);
      }
    }
    values[r] = statistic(drawn);
  }
  values.sort();
  const at = (q: number): number => values[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!;
  return { low: at((1 - level) / 2), high: at(1 - (1 - level) / 2) };
}

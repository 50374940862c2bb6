/**
 * The two baselines the chat model must beat, run on the same held-out lines:
 *  - AFINN (the `sentiment` package): score > 0 positive, < 0 negative, else neutral;
 *    toxic when the score is at or below a threshold (picked on the validation split,
 *    the same way the model's own toxicity threshold is picked).
 *  - obscenity: toxic when its English dataset, with its recommended transformers
 *    (l33t, confusables, repeated characters…), matches anything. It has no sentiment.
 * Both see the raw text, as they would if used as a filter on their own.
 */
import Sentiment from 'sentiment';
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import type { Sentiment as SentimentLabel } from './corpusTemplates.js';
import { binaryReport } from '../metrics.js';

const afinn = new Sentiment();
let matcher: RegExpMatcher | null = null;

/** AFINN score of a message (sum of word valences, with AFINN's own negation handling). */
export function afinnScore(text: string): number {
  return afinn.analyze(text).score;
}

/** The AFINN baseline's sentiment label. */
export function afinnSentiment(score: number): SentimentLabel {
  return score > 0 ? 'positive' : score < 0 ? 'negative' : 'neutral';
}

/** The obscenity baseline: true when the English preset matches anything in `text`. */
export function obscenityFlags(text: string): boolean {
  matcher ??= new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  return matcher.hasMatch(text);
}

/** Candidate AFINN toxicity thresholds: "strongly negative" means at most one of these. */
export const AFINN_TOXIC_THRESHOLDS: readonly number[] = [-1, -2, -3, -4, -5, -6, -8];

/**
 * The AFINN toxicity threshold with the best F1 on labelled (validation) lines; ties go to
 * the stricter (more negative) threshold.
 */
export function pickAfinnToxicThreshold(scores: readonly number[], toxic: readonly number[]): number {
  let best = AFINN_TOXIC_THRESHOLDS[0]!;
  let bestF1 = -1;
  for (const t of AFINN_TOXIC_THRESHOLDS) {
    const f1 = binaryReport(toxic, scores.map((s) => s <= t)).f1;
    if (f1 >= bestF1) {
      best = t;
      bestF1 = f1;
    }
  }
  return best;
}

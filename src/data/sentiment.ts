/**
 * Lexicon sentiment of short texts (VADER) and its summary over a group of
 * texts, such as one day's headlines.
 */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- vader-sentiment ships no types; the reference keeps its declaration in every build, the .d.ts bundle included
/// <reference path="./vader-sentiment.d.ts" />
import vader from 'vader-sentiment';

import { assertInRange, assertOneOf } from '../internal/assert';
import { describe } from '../internal/errors';

/** VADER's scores of one text. */
export interface SentimentScore {
  /**
   * Normalised sum of the valences, in [-1, 1], rounded to 4 decimals by
   * the package: the usual single sentiment number.
   */
  compound: number;
  /** Share of the text's valence that is positive. */
  positive: number;
  /** Share of the text's valence that is negative. */
  negative: number;
  /** Share of the text's valence that is neutral. */
  neutral: number;
}

/** Options of {@link vaderSentiment}. */
export interface VaderSentimentOptions {
  /**
   * What an empty (or whitespace-only) text does: `'error'` throws, naming
   * its index; `'neutral'` scores it 0. @defaultValue 'error'
   */
  empty?: 'error' | 'neutral';
}

/**
 * Scores each text with VADER (the `vader-sentiment` package, a port of
 * Hutto and Gilbert's lexicon and rules). VADER reads case, punctuation,
 * emoticons, negations and intensifiers, so pass the text as written: no
 * lowercasing or cleaning.
 *
 * @example
 * ```ts
 * vaderSentiment(['Profits soar!', 'Shares plunge after fraud probe']);
 * // [{ compound: 0.5255, ... }, { compound: -0.5859, ... }]
 * ```
 * @see Hutto and Gilbert (2014), VADER: A Parsimonious Rule-based Model
 * for Sentiment Analysis of Social Media Text.
 * @param texts - The texts.
 * @param options - See {@link VaderSentimentOptions}.
 * @returns One score per text, in order.
 * @throws TypeError when a text is not a string; RangeError for an empty
 *   text unless `empty: 'neutral'`.
 */
export function vaderSentiment(
  texts: readonly string[],
  options: VaderSentimentOptions = {},
): SentimentScore[] {
  const where = 'vaderSentiment';
  if (!Array.isArray(texts)) {
    throw new TypeError(
      `${where}: expected an array of texts, received ${describe(texts)}`,
    );
  }
  const empty = options.empty ?? 'error';
  assertOneOf(where, 'empty', empty, ['error', 'neutral']);
  const analyzer = vader.SentimentIntensityAnalyzer;
  return texts.map((text, i) => {
    if (typeof text !== 'string') {
      throw new TypeError(
        `${where}: expected text ${i} to be a string, received ` +
          describe(text),
      );
    }
    if (text.trim() === '') {
      if (empty === 'error') {
        throw new RangeError(
          `${where}: expected non-empty texts, received ` +
            `${describe(text)} at index ${i}; pass empty: 'neutral' to ` +
            `score it 0`,
        );
      }
      return { compound: 0, positive: 0, negative: 0, neutral: 0 };
    }
    const s = analyzer.polarity_scores(text);
    return {
      compound: s.compound,
      positive: s.pos,
      negative: s.neg,
      neutral: s.neu,
    };
  });
}

/** The class of a compound score under VADER's usual thresholds. */
export type SentimentClass = 'positive' | 'negative' | 'neutral';

/**
 * Classifies a compound score: positive at or above `threshold`, negative
 * at or below `-threshold`, neutral between (VADER's authors suggest 0.05).
 *
 * @param compound - A compound score.
 * @param threshold - The cut. @defaultValue 0.05
 * @returns The class.
 */
export function sentimentClass(
  compound: number,
  threshold = 0.05,
): SentimentClass {
  if (compound >= threshold) return 'positive';
  if (compound <= -threshold) return 'negative';
  return 'neutral';
}

/** Summary of a group of compound scores (see {@link summarizeSentiment}). */
export interface SentimentSummary {
  /** Mean compound score, or the neutral value for an empty group. */
  mean: number;
  /** Share of scores >= threshold (0 for an empty group). */
  positiveShare: number;
  /** Share of scores <= -threshold (0 for an empty group). */
  negativeShare: number;
  /** Number of scores. */
  count: number;
}

/** Options of {@link summarizeSentiment}. */
export interface SummarizeSentimentOptions {
  /** The class cut, as in {@link sentimentClass}. @defaultValue 0.05 */
  threshold?: number;
  /** The mean reported for an empty group. @defaultValue 0 */
  neutral?: number;
}

/**
 * Mean, count and class shares of a group of compound scores. An empty
 * group gives the neutral value, count 0 and shares 0, never NaN.
 *
 * @param scores - Compound scores.
 * @param options - See {@link SummarizeSentimentOptions}.
 * @returns The summary.
 * @throws RangeError for a non-finite score or threshold.
 */
export function summarizeSentiment(
  scores: ArrayLike<number>,
  options: SummarizeSentimentOptions = {},
): SentimentSummary {
  const where = 'summarizeSentiment';
  const threshold = options.threshold ?? 0.05;
  assertInRange(where, 'threshold', threshold, 0, 1);
  const neutral = options.neutral ?? 0;
  assertInRange(where, 'neutral', neutral, -Infinity, Infinity);
  const n = scores.length;
  if (n === 0) {
    return { mean: neutral, positiveShare: 0, negativeShare: 0, count: 0 };
  }
  let sum = 0;
  let positive = 0;
  let negative = 0;
  for (let i = 0; i < n; i++) {
    const c = scores[i] as number;
    if (!Number.isFinite(c)) {
      throw new RangeError(
        `${where}: expected finite scores, received ${c} at index ${i}`,
      );
    }
    sum += c;
    if (c >= threshold) positive++;
    if (c <= -threshold) negative++;
  }
  return {
    mean: sum / n,
    positiveShare: positive / n,
    negativeShare: negative / n,
    count: n,
  };
}

/**
 * Lexicon sentiment of short texts (VADER) and its summary over a group of
 * texts, such as one day's headlines.
 */
// vader-sentiment ships no types; the reference keeps its declaration in
// every build, the .d.ts bundle included.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
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
 * at or below `-threshold`, neutral between (VADER's authors suggest
 * 0.05). Every score has exactly one class: a positive class needs a
 * score above 0 and a negative one a score below 0, so with threshold 0 a
 * score of exactly 0 is neutral.
 *
 * @param compound - A compound score (the `compound` of a
 *   {@link vaderSentiment} result).
 * @param threshold - The cut, finite and >= 0. @defaultValue 0.05
 * @returns The class.
 * @throws TypeError when `compound` is not a number (a whole
 *   {@link SentimentScore} included); RangeError for a non-finite score or
 *   a threshold that is not finite and >= 0.
 */
export function sentimentClass(
  compound: number,
  threshold = 0.05,
): SentimentClass {
  const where = 'sentimentClass';
  checkThreshold(where, threshold);
  checkScore(where, compound, null);
  return classOf(compound, threshold);
}

/** Summary of a group of compound scores (see {@link summarizeSentiment}). */
export interface SentimentSummary {
  /** Mean compound score, or the neutral value for an empty group. */
  mean: number;
  /**
   * Share of positive scores, as {@link sentimentClass} says (0 for an
   * empty group).
   */
  positiveShare: number;
  /**
   * Share of negative scores, as {@link sentimentClass} says (0 for an
   * empty group).
   */
  negativeShare: number;
  /** Number of scores. */
  count: number;
}

/** Options of {@link summarizeSentiment}. */
export interface SummarizeSentimentOptions {
  /**
   * The class cut, finite and >= 0, as in {@link sentimentClass}.
   * @defaultValue 0.05
   */
  threshold?: number;
  /** The mean reported for an empty group. @defaultValue 0 */
  neutral?: number;
}

/**
 * Mean, count and class shares of a group of compound scores. An empty
 * group gives the neutral value, count 0 and shares 0, never NaN. Each
 * score counts in at most one of the shares (see {@link sentimentClass}),
 * so `positiveShare + negativeShare <= 1`.
 *
 * @param scores - Compound scores (numbers, such as
 *   `vaderSentiment(texts).map((s) => s.compound)`).
 * @param options - See {@link SummarizeSentimentOptions}.
 * @returns The summary.
 * @throws TypeError when a score is not a number; RangeError for a
 *   non-finite score (naming its index), a threshold that is not finite
 *   and >= 0, or a non-finite neutral value.
 */
export function summarizeSentiment(
  scores: ArrayLike<number>,
  options: SummarizeSentimentOptions = {},
): SentimentSummary {
  const where = 'summarizeSentiment';
  const settings = summaryOptions(where, options);
  checkScores(where, scores);
  return summarize(scores, settings);
}

/**
 * Validated {@link SummarizeSentimentOptions} with their defaults.
 *
 * @internal
 */
export function summaryOptions(
  where: string,
  options: SummarizeSentimentOptions,
): { threshold: number; neutral: number } {
  const threshold = options?.threshold ?? 0.05;
  checkThreshold(where, threshold);
  const neutral = options?.neutral ?? 0;
  assertInRange(where, 'neutral', neutral, -Infinity, Infinity);
  return { threshold, neutral };
}

/**
 * Throws unless `scores` is an array of finite numbers, naming the index
 * of the first bad one (in the caller's array).
 *
 * @internal
 */
export function checkScores(where: string, scores: ArrayLike<number>): void {
  const ok =
    Array.isArray(scores) ||
    (ArrayBuffer.isView(scores) && !(scores instanceof DataView));
  if (!ok) {
    throw new TypeError(
      `${where}: expected an array of compound scores, received ` +
        describe(scores),
    );
  }
  for (let i = 0; i < scores.length; i++) checkScore(where, scores[i], i);
}

/**
 * The summary of checked scores.
 *
 * @internal
 */
export function summarize(
  scores: ArrayLike<number>,
  { threshold, neutral }: { threshold: number; neutral: number },
): SentimentSummary {
  const n = scores.length;
  if (n === 0) {
    return { mean: neutral, positiveShare: 0, negativeShare: 0, count: 0 };
  }
  let sum = 0;
  let positive = 0;
  let negative = 0;
  for (let i = 0; i < n; i++) {
    const c = scores[i] as number;
    sum += c;
    const kind = classOf(c, threshold);
    if (kind === 'positive') positive++;
    else if (kind === 'negative') negative++;
  }
  return {
    mean: sum / n,
    positiveShare: positive / n,
    negativeShare: negative / n,
    count: n,
  };
}

/** The class of a checked score (see {@link sentimentClass}). */
function classOf(compound: number, threshold: number): SentimentClass {
  if (compound > 0 && compound >= threshold) return 'positive';
  if (compound < 0 && compound <= -threshold) return 'negative';
  return 'neutral';
}

function checkThreshold(where: string, threshold: unknown): void {
  if (
    typeof threshold !== 'number' ||
    !Number.isFinite(threshold) ||
    threshold < 0
  ) {
    throw new RangeError(
      `${where}: expected threshold to be a finite number >= 0, received ` +
        describe(threshold),
    );
  }
}

/** Throws unless `value` is a finite number; `index` null for one score. */
function checkScore(where: string, value: unknown, index: number | null) {
  const at = index === null ? '' : ` at index ${index}`;
  const what =
    index === null ? 'a finite compound score' : 'finite compound scores';
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw new RangeError(`${where}: expected ${what}, received ${value}${at}`);
  }
  const hint =
    value !== null && typeof value === 'object' && 'compound' in value
      ? '; pass the compound field of each vaderSentiment result, e.g. ' +
        'scores.map((s) => s.compound)'
      : '';
  throw new TypeError(
    `${where}: expected compound scores (numbers), received ` +
      `${describe(value)}${at}${hint}`,
  );
}

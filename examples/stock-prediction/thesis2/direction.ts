/**
 * Thesis 2, spec S9 direction check: does the day's news sentiment rank
 * the next day's return? Spearman rank correlations with their p-values
 * and the hit rate of the tone's sign, with an exact binomial test.
 */
import studentCdf from '@stdlib/stats-base-dists-t-cdf';

import type { DjiaDays } from './data';

/** A rank correlation and its two-sided p-value. */
export interface RankCorrelation {
  /** Spearman's rho. */
  rho: number;
  /** Two-sided p-value (t approximation with n - 2 degrees of freedom). */
  p: number;
  /** Number of pairs. */
  n: number;
}

/** The direction check over one range of days. */
export interface DirectionCheck {
  /** First and last day of the range. */
  dates: [string, string];
  /** (a) sent_mean_t against r_{t+1}. */
  nextDaySentMean: RankCorrelation;
  /** (b) sign(sent_mean_t) against r_{t+1}. */
  nextDaySignSentMean: RankCorrelation;
  /** (c) sign(sent_mean_t - training median) against r_{t+1}. */
  nextDaySignRelTrainMedian: RankCorrelation;
  /** Net tone (positive share - negative share) against r_{t+1}. */
  nextDayNetTone: RankCorrelation;
  /** (d) sent_mean_t against the same day's return r_t (t = 1..): a contrast. */
  sameDaySentMean: RankCorrelation;
  /**
   * Hit rate of sign(c) against sign(r_{t+1}), pairs with a zero sign left
   * out; `shareUpDays` is the share of up days among the same pairs (the
   * rate of always guessing up).
   */
  hitRate: { rate: number; n: number; binomP: number; shareUpDays: number };
}

/**
 * The direction check on days `from..to` (indices into the full data; the
 * pairs are (t, t + 1) with both inside the range).
 *
 * @param days - The full data (S1-S2).
 * @param trainMedian - Median sent_mean of the training rows.
 * @param from - First day index. @defaultValue 0
 * @param to - Last day index. @defaultValue the last day
 * @returns The correlations and the hit rate.
 */
export function directionCheck(
  days: DjiaDays,
  trainMedian: number,
  from = 0,
  to = days.series.dates.length - 1,
): DirectionCheck {
  const { close } = days.series;
  const { mean, positiveShare, negativeShare } = days.sentiment;
  const next: number[] = [];
  const sent: number[] = [];
  const tone: number[] = [];
  for (let t = from; t < to; t++) {
    next.push((close[t + 1] as number) / (close[t] as number) - 1);
    sent.push(mean[t] as number);
    tone.push((positiveShare[t] as number) - (negativeShare[t] as number));
  }
  const rel = sent.map((s) => Math.sign(s - trainMedian));
  // Same-day pairs (sent_t, r_t) for t = from + 1..to: as many pairs.
  const sameSent = Array.from(
    { length: to - from },
    (_, i) => mean[from + 1 + i] as number,
  );
  const sameReturn = sameSent.map(
    (_, i) => (close[from + 1 + i] as number) / (close[from + i] as number) - 1,
  );

  // Hit rate of the relative tone's sign; pairs with a zero sign dropped.
  let hits = 0;
  let counted = 0;
  let up = 0;
  rel.forEach((s, i) => {
    const r = Math.sign(next[i] as number);
    if (s === 0 || r === 0) return;
    counted++;
    if (r > 0) up++;
    if (s === r) hits++;
  });
  return {
    dates: [days.series.dates[from] as string, days.series.dates[to] as string],
    nextDaySentMean: spearman(sent, next),
    nextDaySignSentMean: spearman(sent.map(Math.sign), next),
    nextDaySignRelTrainMedian: spearman(rel, next),
    nextDayNetTone: spearman(tone, next),
    sameDaySentMean: spearman(sameSent, sameReturn),
    hitRate: {
      rate: hits / counted,
      n: counted,
      binomP: binomialTwoSided(hits, counted),
      shareUpDays: up / counted,
    },
  };
}

/**
 * Spearman's rho (Pearson correlation of average ranks) and its two-sided
 * p-value from `t = rho sqrt((n - 2) / (1 - rho^2))` with n - 2 degrees of
 * freedom, as scipy.stats.spearmanr computes it.
 */
export function spearman(x: number[], y: number[]): RankCorrelation {
  const n = x.length;
  const rx = ranks(x);
  const ry = ranks(y);
  const mx = rx.reduce((s, v) => s + v, 0) / n;
  const my = ry.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (rx[i] as number) - mx;
    const dy = (ry[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const rho = sxy / Math.sqrt(sxx * syy);
  const t = rho * Math.sqrt((n - 2) / ((1 - rho) * (1 + rho)));
  const p = 2 * studentCdf(-Math.abs(t), n - 2);
  return { rho, p, n };
}

/** Average ranks (1-based), ties sharing the mean of their positions. */
function ranks(values: number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (
      j + 1 < order.length &&
      values[order[j + 1]!] === values[order[i]!]
    ) {
      j++;
    }
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]!] = rank;
    i = j + 1;
  }
  return out;
}

/** Exact two-sided binomial test of k successes in n at p = 1/2. */
export function binomialTwoSided(k: number, n: number): number {
  const logPmf = (i: number) => logChoose(n, i) - n * Math.LN2;
  const tail = Math.max(k, n - k);
  let p = 0;
  for (let i = tail; i <= n; i++) p += Math.exp(logPmf(i));
  return Math.min(1, k === n - k ? 1 : 2 * p);
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s;
}

/**
 * The coalitions of KernelSHAP and their Shapley-kernel weights, chosen the
 * way shap's KernelExplainer chooses them: whole subset sizes enumerated
 * from the outside in while the budget allows, paired (complement) draws
 * for the rest.
 */
import type { Random } from '../internal/random';

/** Sampled coalitions of `players` players. */
export interface CoalitionSample {
  /** `[count, players]` row-major, 1 = the player is in the coalition. */
  masks: Uint8Array;
  /** Kernel weight of each coalition. */
  weights: Float64Array;
  /** Number of coalitions. */
  count: number;
  /** Subset sizes (and their complements) enumerated in full. */
  fullSizes: number;
  /** Coalitions drawn at random (after deduplication). */
  sampled: number;
}

/** Default KernelSHAP budget: 2M + 2048 capped at 2^M − 2. */
export function defaultBudget(players: number): number {
  return Math.min(2 * players + 2048, maxCoalitions(players));
}

/** Number of coalitions other than the empty and the full one. */
export function maxCoalitions(players: number): number {
  return players >= 52 ? Number.MAX_SAFE_INTEGER : 2 ** players - 2;
}

/** Binomial coefficient as a float. */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * Chooses the coalitions of one KernelSHAP explanation.
 *
 * Sizes s and M − s share the weight (M − 1) / (s (M − s)); a size is
 * enumerated in full while the samples left, times its share of the
 * remaining weight, cover all its subsets. The remaining budget is spent
 * on random subsets whose sizes are drawn by weight, each followed by its
 * complement; a repeated draw adds 1 to its coalition's weight instead of
 * a row. The drawn coalitions share the weight left by the enumerated
 * sizes, in proportion to how often each was drawn.
 *
 * @param M - Number of players (>= 2).
 * @param budget - Number of coalitions at most.
 * @param rng - Source of the random draws.
 * @returns The coalitions and their weights.
 * @see Lundberg and Lee (2017), A unified approach to interpreting model
 *   predictions; shap's KernelExplainer.
 */
export function sampleCoalitions(
  M: number,
  budget: number,
  rng: Random,
): CoalitionSample {
  const sizes = Math.ceil((M - 1) / 2);
  const paired = Math.floor((M - 1) / 2);
  const weightVector = Array.from(
    { length: sizes },
    (_, i) => (M - 1) / ((i + 1) * (M - i - 1)),
  );
  for (let i = 0; i < paired; i++) weightVector[i] = weightVector[i]! * 2;
  const sum = weightVector.reduce((a, b) => a + b, 0);
  for (let i = 0; i < sizes; i++) weightVector[i] = weightVector[i]! / sum;

  const masks: number[][] = [];
  const weights: number[] = [];
  let fullSizes = 0;
  let left = budget;
  const remaining = [...weightVector];
  for (let s = 1; s <= sizes; s++) {
    const isPaired = s <= paired;
    const nsubsets = binomial(M, s) * (isPaired ? 2 : 1);
    if ((left * remaining[s - 1]!) / nsubsets < 1 - 1e-8) break;
    fullSizes += 1;
    left -= nsubsets;
    if (remaining[s - 1]! < 1) {
      const scale = 1 - remaining[s - 1]!;
      for (let i = 0; i < sizes; i++) remaining[i] = remaining[i]! / scale;
    }
    const w = weightVector[s - 1]! / binomial(M, s) / (isPaired ? 2 : 1);
    forEachSubset(M, s, (subset) => {
      masks.push(subset);
      weights.push(w);
      if (isPaired) {
        masks.push(subset.map((v) => 1 - v));
        weights.push(w);
      }
    });
  }

  const fixed = masks.length;
  let samplesLeft = budget - fixed;
  if (fullSizes !== sizes && samplesLeft >= 2) {
    // Each draw adds a subset and its complement, so sizes are drawn in
    // proportion to their kernel weight.
    const tail = weightVector.slice(fullSizes);
    const tailSum = tail.reduce((a, b) => a + b, 0);
    const cumulative: number[] = [];
    tail.reduce((acc, w) => {
      cumulative.push(acc + w / tailSum);
      return acc + w / tailSum;
    }, 0);
    const seen = new Map<string, number>();
    const maxDraws = 4 * samplesLeft;
    for (let draw = 0; draw < maxDraws && samplesLeft >= 2; draw++) {
      const u = rng.next();
      let k = cumulative.findIndex((c) => u < c);
      if (k < 0) k = cumulative.length - 1;
      const size = k + fullSizes + 1;
      const subset = new Array<number>(M).fill(0);
      for (const i of partialPermutation(rng, M, size)) subset[i] = 1;
      const complement = subset.map((v) => 1 - v);
      const key = subset.join('');
      const at = seen.get(key);
      if (at === undefined) {
        // Deviation: shap draws the middle size of an even M without its
        // complement; pairing every draw keeps each coalition's weight
        // equal to its complement's, which makes the estimate exact for
        // games with at most pairwise interactions, for any M.
        seen.set(key, masks.length);
        masks.push(subset);
        weights.push(1);
        seen.set(complement.join(''), masks.length);
        masks.push(complement);
        weights.push(1);
        samplesLeft -= 2;
      } else {
        const c = seen.get(complement.join('')) as number;
        weights[at] = weights[at]! + 1;
        weights[c] = weights[c]! + 1;
      }
    }
    // The drawn coalitions share the weight of the sizes not enumerated.
    const weightLeft = weightVector.slice(fullSizes).reduce((a, b) => a + b, 0);
    let drawn = 0;
    for (let i = fixed; i < weights.length; i++) drawn += weights[i]!;
    for (let i = fixed; i < weights.length; i++) {
      weights[i] = (weights[i]! * weightLeft) / drawn;
    }
  }

  const count = masks.length;
  const flat = new Uint8Array(count * M);
  masks.forEach((m, i) => flat.set(m, i * M));
  return {
    masks: flat,
    weights: Float64Array.from(weights),
    count,
    fullSizes,
    sampled: count - fixed,
  };
}

/** Calls `fn` with each subset of size `k` of `n` items as a 0/1 array. */
function forEachSubset(
  n: number,
  k: number,
  fn: (subset: number[]) => void,
): void {
  const idx = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    const subset = new Array<number>(n).fill(0);
    for (const i of idx) subset[i] = 1;
    fn(subset);
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i] = idx[i]! + 1;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}

/** The first `k` items of a random permutation of 0..n-1. */
function partialPermutation(rng: Random, n: number, k: number): number[] {
  const items = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items.slice(0, k);
}

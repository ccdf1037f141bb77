/**
 * Cross-modal retrieval in a coordinated embedding space: recall@K and
 * median rank in both directions, nearest neighbours and vector
 * arithmetic.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError, describe, formatShapes } from '../internal/errors';
import { normalizeRows } from './contrastive';

/** Embeddings: a `[n, dim]` tensor or one array per row. */
export type Embeddings = tf.Tensor2D | readonly ArrayLike<number>[];

/** A single vector: a `[dim]` (or `[1, dim]`) tensor or an array. */
export type Vector = tf.Tensor | ArrayLike<number>;

/** Options of {@link retrievalMetrics}. */
export interface RetrievalOptions {
  /** The K of each recall@K. @defaultValue [1, 5, 10] */
  ks?: number[];
  /**
   * Item id of each row. Another row with the same id as the query's pair
   * is neither a hit nor a miss: it is left out of the ranking, as
   * duplicates are left out of the contrastive loss.
   */
  ids?: readonly (string | number)[];
  /** Query rows scored per tfjs call. @defaultValue 512 */
  batchSize?: number;
}

/** Retrieval quality in one direction. */
export interface RetrievalDirection {
  /** Share of queries whose pair ranks within the top K, keyed by K. */
  recallAtK: Record<number, number>;
  /** Median rank of the pair (1 = first). */
  medianRank: number;
  /** Mean rank of the pair. */
  meanRank: number;
  /** Rank of each query's pair; ties share the mean of their ranks. */
  ranks: Float64Array;
}

/** What {@link retrievalMetrics} returns. */
export interface RetrievalMetrics {
  /** Number of pairs. */
  n: number;
  /** Queries from a, candidates from b. */
  aToB: RetrievalDirection;
  /** Queries from b, candidates from a. */
  bToA: RetrievalDirection;
}

/**
 * Recall@K and median rank of paired embeddings in both directions, by
 * cosine similarity: query `aᵢ` should retrieve `bᵢ` among all rows of `b`,
 * and `bᵢ` should retrieve `aᵢ`.
 *
 * The rank of the pair is `1 + #{j : sᵢⱼ > sᵢᵢ} + #{j ≠ i : sᵢⱼ = sᵢᵢ} / 2`
 * (ties share their mean rank, so constant embeddings score at chance,
 * never first). With random embeddings the expected recall@K is `K / n` and
 * the median rank about `n / 2`.
 *
 * @example
 * ```ts
 * const m = retrievalMetrics(imageEmbeddings, textEmbeddings);
 * m.aToB.recallAtK[5]; // share of images whose caption is in the top 5
 * m.bToA.medianRank;
 * ```
 * @see Karpathy and Fei-Fei (2015), Deep Visual-Semantic Alignments for
 * Generating Image Descriptions (R@K and median rank).
 * @param a - First modality, `[n, dim]`.
 * @param b - Second modality, `[n, dim]`, row `i` paired with `a`'s row `i`.
 * @param options - See {@link RetrievalOptions}.
 * @returns Metrics of both directions.
 * @throws ShapeError when a and b differ in shape or are empty; RangeError
 *   for a K that is not a positive integer, ids of the wrong length or
 *   non-finite values.
 */
export function retrievalMetrics(
  a: Embeddings,
  b: Embeddings,
  options: RetrievalOptions = {},
): RetrievalMetrics {
  const where = 'retrievalMetrics';
  const ks = options.ks ?? [1, 5, 10];
  ks.forEach((k, i) => assertInteger(where, `ks[${i}]`, k, 1));
  const batchSize = options.batchSize ?? 512;
  assertInteger(where, 'batchSize', batchSize, 1);
  return withTensors(where, [a, b], ([ta, tb]) => {
    if (ta!.shape[0] !== tb!.shape[0] || ta!.shape[1] !== tb!.shape[1]) {
      throw new ShapeError(
        `${where}: expected a and b of one shape [n, dim], received ` +
          `shapes ${formatShapes([ta!.shape, tb!.shape])}`,
      );
    }
    const n = ta!.shape[0];
    if (options.ids !== undefined && options.ids.length !== n) {
      throw new RangeError(
        `${where}: expected ${n} ids (one per row), received ` +
          describe(options.ids),
      );
    }
    const direction = (q: tf.Tensor2D, c: tf.Tensor2D) =>
      summarise(ranksOf(q, c, batchSize, options.ids), ks);
    return { n, aToB: direction(ta!, tb!), bToA: direction(tb!, ta!) };
  });
}

/** Options of {@link nearestNeighbors}. */
export interface NearestNeighborOptions {
  /** Neighbours returned per query. @defaultValue 1 */
  k?: number;
  /** `'cosine'` similarity or plain `'dot'` product. @defaultValue 'cosine' */
  metric?: 'cosine' | 'dot';
  /** Corpus rows to skip, per query (e.g. the query itself). */
  exclude?: readonly (readonly number[])[];
}

/** Neighbours of each query, best first. */
export interface Neighbors {
  /** Corpus row of each neighbour, `[queries][k]`. */
  indices: number[][];
  /** Similarity of each neighbour, `[queries][k]`. */
  scores: number[][];
}

/**
 * The `k` corpus rows most similar to each query.
 *
 * @param queries - `[q, dim]`.
 * @param corpus - `[n, dim]`.
 * @param options - See {@link NearestNeighborOptions}.
 * @returns Indices and scores, best first.
 * @throws ShapeError when the dimensions differ; RangeError when `k`
 *   exceeds the corpus rows left after exclusions, or for non-finite
 *   values.
 */
export function nearestNeighbors(
  queries: Embeddings,
  corpus: Embeddings,
  options: NearestNeighborOptions = {},
): Neighbors {
  const where = 'nearestNeighbors';
  const k = options.k ?? 1;
  assertInteger(where, 'k', k, 1);
  const metric = options.metric ?? 'cosine';
  assertOneOf(where, 'metric', metric, ['cosine', 'dot']);
  return withTensors(where, [queries, corpus], ([q, c]) => {
    if (q!.shape[1] !== c!.shape[1]) {
      throw new ShapeError(
        `${where}: expected queries and corpus of one dimension, received ` +
          `shapes ${formatShapes([q!.shape, c!.shape])}`,
      );
    }
    const n = c!.shape[0];
    const skip = options.exclude ?? [];
    const most = Math.max(0, ...skip.map((e) => e.length));
    const available = n - most;
    if (k > available) {
      throw new RangeError(
        `${where}: expected k <= ${available} (corpus rows ${n} minus up ` +
          `to ${most} excluded), received ${k}`,
      );
    }
    const scores = tf.tidy(() => {
      const [x, y] =
        metric === 'cosine' ? [normalizeRows(q!), normalizeRows(c!)] : [q!, c!];
      return tf.matMul(x, y, false, true).arraySync() as number[][];
    });
    const result: Neighbors = { indices: [], scores: [] };
    scores.forEach((row, i) => {
      const excluded = new Set(skip[i] ?? []);
      const order = row
        .map((s, j) => ({ s, j }))
        .filter((e) => !excluded.has(e.j))
        .sort((u, v) => v.s - u.s || u.j - v.j)
        .slice(0, k);
      result.indices.push(order.map((e) => e.j));
      result.scores.push(order.map((e) => e.s));
    });
    return result;
  });
}

/** Options of {@link vectorArithmetic}. */
export interface VectorArithmeticOptions {
  /** Neighbours returned. @defaultValue 1 */
  k?: number;
  /**
   * L2-normalise `a`, `b` and `c` before combining them, so that each term
   * weighs the same. @defaultValue true
   */
  normalize?: boolean;
  /** Corpus rows to skip (e.g. the row that `a` came from). */
  exclude?: readonly number[];
}

/** What {@link vectorArithmetic} returns. */
export interface VectorArithmeticResult {
  /** The query vector `a − b + c`. */
  query: number[];
  /** Corpus rows nearest to the query by cosine similarity, best first. */
  indices: number[];
  /** Their cosine similarities to the query. */
  scores: number[];
}

/**
 * Vector arithmetic in a coordinated space: the corpus rows nearest (by
 * cosine) to `a − b + c`, as in "embedding of a dog image − embedding of
 * 'dog' + embedding of 'cat' ≈ embedding of a cat image". `a`, `b` and `c`
 * may come from different modalities that share the space.
 *
 * @example
 * ```ts
 * const { indices } = vectorArithmetic(
 *   { a: dogImage, b: textDog, c: textCat }, imageCorpus,
 *   { exclude: [dogImageRow] },
 * );
 * ```
 * @see Kiros, Salakhutdinov and Zemel (2014), Unifying Visual-Semantic
 * Embeddings with Multimodal Neural Language Models (multimodal vector
 * arithmetic).
 * @see Mikolov et al. (2013), Linguistic Regularities in Continuous Space
 * Word Representations.
 * @param terms - The vectors `a`, `b` and `c`, each `[dim]`.
 * @param corpus - Candidates, `[n, dim]`.
 * @param options - See {@link VectorArithmeticOptions}.
 * @returns The query and its nearest corpus rows.
 * @throws ShapeError when the vectors and the corpus differ in dimension;
 *   RangeError as {@link nearestNeighbors}.
 */
export function vectorArithmetic(
  terms: { a: Vector; b: Vector; c: Vector },
  corpus: Embeddings,
  options: VectorArithmeticOptions = {},
): VectorArithmeticResult {
  const where = 'vectorArithmetic';
  const [a, b, c] = [terms.a, terms.b, terms.c].map((v, i) =>
    toVector(where, ['a', 'b', 'c'][i] as string, v),
  ) as [Float64Array, Float64Array, Float64Array];
  if (a.length !== b.length || a.length !== c.length) {
    throw new ShapeError(
      `${where}: expected a, b and c of one dimension, received ` +
        `${a.length}, ${b.length} and ${c.length}`,
    );
  }
  const unit = (v: Float64Array) => {
    if (options.normalize === false) return v;
    const norm = Math.hypot(...v);
    return norm > 0 ? v.map((x) => x / norm) : v;
  };
  const [ua, ub, uc] = [unit(a), unit(b), unit(c)];
  const query = Array.from(
    ua,
    (x, i) => x - (ub[i] as number) + (uc[i] as number),
  );
  const found = nearestNeighbors([query], corpus, {
    k: options.k ?? 1,
    exclude: [options.exclude ?? []],
  });
  return {
    query,
    indices: found.indices[0] as number[],
    scores: found.scores[0] as number[],
  };
}

function ranksOf(
  queries: tf.Tensor2D,
  candidates: tf.Tensor2D,
  batchSize: number,
  ids: readonly (string | number)[] | undefined,
): Float64Array {
  const n = queries.shape[0];
  const ranks = new Float64Array(n);
  const c = normalizeRows(candidates);
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      // [size, n] similarities of this block of queries.
      const block = tf.tidy(() =>
        tf
          .matMul(
            normalizeRows(tf.slice(queries, [start, 0], [size, -1])),
            c,
            false,
            true,
          )
          .dataSync(),
      );
      for (let r = 0; r < size; r++) {
        const i = start + r;
        const own = block[r * n + i] as number;
        let greater = 0;
        let ties = 0;
        for (let j = 0; j < n; j++) {
          if (j === i || (ids !== undefined && ids[j] === ids[i])) continue;
          const s = block[r * n + j] as number;
          if (s > own) greater++;
          else if (s === own) ties++;
        }
        ranks[i] = 1 + greater + ties / 2;
      }
    }
  } finally {
    c.dispose();
  }
  return ranks;
}

function summarise(ranks: Float64Array, ks: number[]): RetrievalDirection {
  const n = ranks.length;
  const sorted = Float64Array.from(ranks).sort();
  const mid = Math.floor(n / 2);
  const medianRank =
    n % 2
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const recallAtK: Record<number, number> = {};
  for (const k of ks) recallAtK[k] = ranks.filter((r) => r <= k).length / n;
  const meanRank = ranks.reduce((s, r) => s + r, 0) / n;
  return { recallAtK, medianRank, meanRank, ranks };
}

/** Converts embeddings to rank-2 tensors, checks them, runs `fn`, frees. */
function withTensors<T>(
  where: string,
  inputs: Embeddings[],
  fn: (tensors: tf.Tensor2D[]) => T,
): T {
  const made: tf.Tensor[] = [];
  const tensors = inputs.map((x, i) => {
    const name = ['first', 'second'][i] as string;
    let t: tf.Tensor;
    if (x instanceof tf.Tensor) t = x;
    else {
      if (!Array.isArray(x) || x.length === 0) {
        throw new ShapeError(
          `${where}: expected the ${name} embeddings as a [n, dim] tensor ` +
            `or a non-empty array of rows, received ${describe(x)}`,
        );
      }
      t = tf.tensor2d(x.map((row) => Array.from(row as ArrayLike<number>)));
      made.push(t);
    }
    if (t.rank !== 2 || t.shape[0] === 0 || t.shape[1] === 0) {
      throw new ShapeError(
        `${where}: expected the ${name} embeddings of shape [n, dim] with ` +
          `n, dim >= 1, received shape [${t.shape.join(',')}]`,
      );
    }
    return t as tf.Tensor2D;
  });
  try {
    for (const [i, t] of tensors.entries()) {
      const bad = tf.tidy(
        () => tf.any(tf.logicalNot(tf.isFinite(t))).dataSync()[0],
      );
      if (bad) {
        throw new RangeError(
          `${where}: expected finite values in the ${['first', 'second'][i]} ` +
            `embeddings, received NaN or Infinity`,
        );
      }
    }
    return fn(tensors);
  } finally {
    made.forEach((t) => t.dispose());
  }
}

function toVector(where: string, name: string, v: Vector): Float64Array {
  const values = v instanceof tf.Tensor ? v.dataSync() : v;
  if (
    v instanceof tf.Tensor &&
    !(v.rank === 1 || (v.rank === 2 && v.shape[0] === 1))
  ) {
    throw new ShapeError(
      `${where}: expected ${name} of shape [dim] or [1, dim], received ` +
        `[${v.shape.join(',')}]`,
    );
  }
  const out = Float64Array.from(values as ArrayLike<number>);
  if (out.length === 0 || !out.every(Number.isFinite)) {
    throw new RangeError(
      `${where}: expected ${name} to be a non-empty vector of finite ` +
        `values, received ${describe(v)}`,
    );
  }
  return out;
}

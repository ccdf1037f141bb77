/**
 * LIME: a weighted ridge surrogate fitted to the model around one example,
 * for tabular rows, time-series windows, token sequences and images.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertInRange, assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError } from '../internal/errors';
import { Random } from '../internal/random';
import { coalitionValues } from './coalitions';
import { weightedRidge } from './linear';
import {
  type LimeSpec,
  type LimeRepresentation,
  representation,
} from './lime-representation';
import {
  type ExplainInputs,
  type Explainable,
  ModelRunner,
  checkOutput,
  hostData,
  resolveInputs,
} from './model-adapter';
import type { Segmentation } from './slic';

export type { LimeSpec } from './lime-representation';

/** Options every kind of LIME explanation takes. */
export interface LimeCommonOptions {
  /** Seed of the perturbations; the same seed gives the same result. */
  seed: number;
  /** Perturbed samples, the example itself first. @defaultValue 5000 */
  samples?: number;
  /**
   * Width of the exponential kernel sqrt(exp(−d² / width²)).
   * @defaultValue 0.75 √M for tabular rows (Euclidean distance on scaled
   *   values), 0.25 otherwise (cosine distance to the example)
   */
  kernelWidth?: number;
  /** Ridge penalty of the surrogate. @defaultValue 1 */
  alpha?: number;
  /** Output index (all outputs joined along the last axis). @defaultValue 0 */
  output?: number;
  /** Rows per prediction call. @defaultValue 512 */
  batchSize?: number;
  /**
   * The input to perturb when the model has several; the others keep the
   * example's values. @defaultValue the only input
   */
  input?: string;
}

/** Options of {@link explainLime}: the common ones and a kind. */
export type LimeOptions = LimeCommonOptions & LimeSpec;

/** A LIME explanation of one example: plain data for the renderers. */
export interface LimeExplanation {
  /** The kind of data explained. */
  kind: 'tabular' | 'series' | 'text' | 'image';
  /**
   * Surrogate coefficients, one per interpretable feature (for tabular
   * rows, on features scaled by `(x − mean) / scale`).
   */
  coefficients: number[];
  /** Surrogate intercept. */
  intercept: number;
  /** One label per feature. */
  labels: string[];
  /** The features' layout (the window's shape for time step × feature). */
  shape: number[];
  /** Weighted R² of the surrogate on the samples. */
  score: number;
  /** Effective sample size of the kernel weights, (Σw)² / Σw². */
  effectiveSampleSize: number;
  /** The surrogate's prediction for the example. */
  localPrediction: number;
  /** The model's output for the example. */
  fx: number;
  /** The kernel width used. */
  kernelWidth: number;
  /** Number of samples. */
  samples: number;
  /** Output index. */
  output: number;
  /** For images: the superpixels the features stand for. */
  segments?: Segmentation;
}

/**
 * Explains one output of one example with LIME (Ribeiro et al. 2016):
 * perturbed samples around the example are weighted by an exponential
 * kernel of their distance to it, and a ridge regression on their
 * interpretable features is fitted to the model's outputs, all predicted
 * in batched calls.
 *
 * - `kind: 'tabular'`: samples x + ε·scale (or mean + ε·scale), ε normal,
 *   the first sample the example; features are the scaled values
 *   (x − mean) / scale, so a linear model's coefficients come back
 *   multiplied by `scale`; Euclidean distance on the scaled values.
 * - `'series'`, `'text'`, `'image'`: binary features (present or
 *   replaced); players as for the Shapley explainers (time steps, cells,
 *   token positions, superpixels); cosine distance to the all-present
 *   vector. Text masks tokens with the model's padding id; images replace
 *   a superpixel by its mean colour or a fill value.
 *
 * @example
 * ```ts
 * const lime = await explainLime(model, window, {
 *   kind: 'series',
 *   players: { axis: 0 },
 *   seed: 1,
 * });
 * lime.coefficients; // one per time step
 * lime.score; // weighted R² of the surrogate
 * ```
 * @param model - A tfjs-layers model or a batched prediction function.
 * @param inputs - One example (batch 1): a tensor or a record keyed by
 *   input name.
 * @param options - See {@link LimeOptions}.
 * @returns The surrogate and its diagnostics.
 * @throws TypeError for an unknown kind or input; ShapeError for inputs of
 *   the wrong shape; RangeError for invalid numbers.
 * @see Ribeiro, Singh and Guestrin (2016), "Why should I trust you?":
 *   explaining the predictions of any classifier, KDD.
 */
export async function explainLime(
  model: Explainable,
  inputs: ExplainInputs,
  options: LimeOptions,
): Promise<LimeExplanation> {
  const where = 'explainLime';
  assertOneOf(where, 'kind', options?.kind, [
    'tabular',
    'series',
    'text',
    'image',
  ]);
  const { layout, tensors, rows } = resolveInputs(where, model, inputs);
  if (rows !== 1) {
    throw new ShapeError(
      `${where}: expected one example (batch 1), received batch ${rows}`,
    );
  }
  const samples = options.samples ?? 5000;
  assertInteger(where, 'samples', samples, 2);
  const alpha = options.alpha ?? 1;
  assertInRange(where, 'alpha', alpha, 0, Infinity);
  const batchSize = options.batchSize ?? 512;
  assertInteger(where, 'batchSize', batchSize, 1);
  const output = options.output ?? 0;
  assertInteger(where, 'output', output, 0);
  if (typeof options.seed !== 'number' || !Number.isFinite(options.seed)) {
    throw new RangeError(
      `${where}: expected a finite numeric seed, received ${String(options.seed)}`,
    );
  }
  const names = layout.inputs.map((s) => s.name);
  const input = options.input ?? (names.length === 1 ? names[0] : undefined);
  if (input === undefined || !names.includes(input)) {
    throw new TypeError(
      `${where}: expected input to name one of [${names.join(', ')}], ` +
        `received ${String(options.input)}`,
    );
  }
  const spec = layout.inputs.find((s) => s.name === input)!;
  const x = await hostData(layout, tensors);
  const rep = await representation(where, spec, x[input]!, options);
  const rng = new Random(options.seed);
  const runner = new ModelRunner(where, model, layout);

  const sampled =
    rep.kind === 'tabular'
      ? await tabularSamples(
          rep,
          samples,
          rng,
          runner,
          tensors,
          input,
          spec.shape,
          batchSize,
        )
      : await binarySamples(rep, samples, rng, runner, layout, x, batchSize);
  checkOutput(where, output, sampled.outputs);
  const d = rep.count;
  const y = Float64Array.from(
    { length: samples },
    (_, s) => sampled.y[s * sampled.outputs + output] as number,
  );

  // Exponential kernel on the distance to the example.
  const width =
    options.kernelWidth ??
    (rep.kind === 'tabular' ? 0.75 * Math.sqrt(d) : 0.25);
  assertInRange(where, 'kernelWidth', width, Number.MIN_VALUE, Infinity);
  const w = Float64Array.from(sampled.distances, (dist) =>
    Math.sqrt(Math.exp(-(dist * dist) / (width * width))),
  );
  const fit = weightedRidge(sampled.features, samples, d, y, w, alpha);
  let sw = 0;
  let sw2 = 0;
  for (const v of w) {
    sw += v;
    sw2 += v * v;
  }
  let local = fit.intercept;
  for (let j = 0; j < d; j++) {
    local += (fit.coefficients[j] as number) * (sampled.features[j] as number);
  }
  return {
    kind: rep.kind,
    coefficients: Array.from(fit.coefficients),
    intercept: fit.intercept,
    labels: rep.labels,
    shape: rep.shape,
    score: fit.score,
    effectiveSampleSize: (sw * sw) / sw2,
    localPrediction: local,
    fx: y[0] as number,
    kernelWidth: width,
    samples,
    output,
    ...(rep.segments ? { segments: rep.segments } : {}),
  };
}

interface Sampled {
  /** `[samples, d]` interpretable features. */
  features: Float64Array;
  /** Distance of each sample to the example. */
  distances: Float64Array;
  /** `[samples, outputs]` model outputs. */
  y: ArrayLike<number>;
  outputs: number;
}

/** Gaussian samples around the example (or the mean), predicted in chunks. */
async function tabularSamples(
  rep: Extract<LimeRepresentation, { kind: 'tabular' }>,
  samples: number,
  rng: Random,
  runner: ModelRunner,
  tensors: Record<string, tf.Tensor>,
  input: string,
  shape: number[],
  batchSize: number,
): Promise<Sampled> {
  const d = rep.count;
  const raw = new Float32Array(samples * d);
  const features = new Float64Array(samples * d);
  const distances = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let dist = 0;
    for (let j = 0; j < d; j++) {
      const scale = rep.scale[j] as number;
      const centre = rep.aroundInstance
        ? (rep.x[j] as number)
        : (rep.mean[j] as number);
      const v = s === 0 ? (rep.x[j] as number) : centre + rng.normal() * scale;
      raw[s * d + j] = v;
      const z = (v - (rep.mean[j] as number)) / scale;
      features[s * d + j] = z;
      const zx = ((rep.x[j] as number) - (rep.mean[j] as number)) / scale;
      dist += (z - zx) ** 2;
    }
    distances[s] = Math.sqrt(dist);
  }
  const parts: Float32Array[] = [];
  let outputs = 0;
  for (let s0 = 0; s0 < samples; s0 += batchSize) {
    const c = Math.min(batchSize, samples - s0);
    const rows = tf.tensor(raw.subarray(s0 * d, (s0 + c) * d), [c, ...shape]);
    try {
      const out = await runner.run({ ...tensors, [input]: rows });
      outputs = out.length / c;
      parts.push(out);
    } finally {
      rows.dispose();
    }
  }
  return { features, distances, y: concat(parts), outputs };
}

/** Binary samples (features present or replaced), as coalitions. */
async function binarySamples(
  rep: Exclude<LimeRepresentation, { kind: 'tabular' }>,
  samples: number,
  rng: Random,
  runner: ModelRunner,
  layout: ReturnType<typeof resolveInputs>['layout'],
  x: Record<string, Float32Array | Int32Array>,
  batchSize: number,
): Promise<Sampled> {
  const d = rep.count;
  const masks = new Uint8Array(samples * d);
  masks.fill(1, 0, d);
  for (let s = 1; s < samples; s++) {
    if (rep.kind === 'text') {
      // As LIME's text explainer: remove 1..d features chosen at random.
      const off = 1 + Math.floor(rng.next() * d);
      masks.fill(1, s * d, (s + 1) * d);
      for (const j of rng.permutation(d).slice(0, off)) masks[s * d + j] = 0;
    } else {
      for (let j = 0; j < d; j++) masks[s * d + j] = rng.next() < 0.5 ? 1 : 0;
    }
  }
  const features = Float64Array.from(masks);
  const distances = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let on = 0;
    for (let j = 0; j < d; j++) on += masks[s * d + j] as number;
    // Cosine distance between the mask and the all-ones vector.
    distances[s] = on === 0 ? 1 : 1 - Math.sqrt(on / d);
  }
  const { values, outputs } = await coalitionValues(
    {
      runner,
      layout,
      players: rep.players,
      background: {
        data: rep.replacement(x),
        rows: 1,
        weights: Float64Array.of(1),
      },
      batchSize,
    },
    x,
    masks,
    samples,
  );
  return { features, distances, y: values, outputs };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * KernelSHAP: Shapley values estimated by weighted linear regression over
 * coalitions, for any model.
 */
import { assertInteger } from '../internal/assert';
import { Random } from '../internal/random';
import {
  type ExplainInputs,
  type Explainable,
  checkOutput,
} from './model-adapter';
import { coalitionValues } from './coalitions';
import {
  defaultBudget,
  maxCoalitions,
  sampleCoalitions,
} from './kernel-sampling';
import { constrainedLeastSquares } from './linear';
import { varyingPlayers } from './players';
import {
  type ShapleyExplanation,
  type ShapleyOptions,
  setupShapley,
  sum,
} from './shapley-common';

/** Options of {@link explainKernelShap}. */
export interface KernelShapOptions extends ShapleyOptions {
  /** Seed of the coalition draws; the same seed gives the same result. */
  seed: number;
  /**
   * Coalitions per example, besides the empty and the full one.
   * @defaultValue 2M + 2048, capped at 2^M − 2 (M varying players)
   */
  budget?: number;
}

/**
 * Explains outputs with KernelSHAP (Lundberg and Lee 2017), following
 * shap's KernelExplainer: Shapley-kernel weights; whole subset sizes
 * enumerated from both ends while the budget allows, then random subsets
 * each paired with its complement; the efficiency constraint (values sum
 * to f(x) − base) enforced exactly in the weighted least squares; players
 * equal to the example in every background row skipped (value 0); no L1
 * feature selection. When the budget covers every coalition the result is
 * the exact Shapley value.
 *
 * A coalition's value is the weighted mean output over the background rows
 * with the coalition's players taken from the example (interventional
 * Shapley values). The synthetic rows of many coalitions go to the model
 * together, in calls of `batchSize` rows.
 *
 * @example
 * ```ts
 * const background = await summarizeBackground(trainWindows, { k: 10, seed: 0 });
 * const shap = await explainKernelShap(model, testWindows, {
 *   background,
 *   players: { axis: 0 }, // one player per time step
 *   seed: 1,
 * });
 * shap.values[0]; // attributions of the first example
 * ```
 * @param model - A tfjs-layers model or a batched prediction function.
 * @param inputs - The examples (batch axis first), a tensor or a record
 *   keyed by input name.
 * @param options - See {@link KernelShapOptions}.
 * @returns Attributions per example and player, base values and
 *   diagnostics.
 * @throws TypeError, RangeError or ShapeError for invalid arguments (the
 *   message names the option and the value received).
 * @see Lundberg and Lee (2017), A unified approach to interpreting model
 *   predictions, NeurIPS.
 */
export async function explainKernelShap(
  model: Explainable,
  inputs: ExplainInputs,
  options: KernelShapOptions,
): Promise<ShapleyExplanation> {
  const where = 'explainKernelShap';
  if (typeof options?.seed !== 'number' || !Number.isFinite(options.seed)) {
    throw new RangeError(
      `${where}: expected a finite numeric seed, received ${String(options?.seed)}`,
    );
  }
  if (options.budget !== undefined) {
    assertInteger(where, 'budget', options.budget, 2);
  }
  const setup = await setupShapley(where, model, inputs, options);
  const { ctx, output } = setup;
  const rng = new Random(options.seed);
  const P = ctx.players.count;
  const result = emptyResult(ctx.players.labels, ctx.players.shape, output);
  const d = result.diagnostics;

  for (let i = 0; i < setup.examples; i++) {
    const x = setup.example(i);
    const varying = varyingPlayers(
      ctx.players,
      x,
      ctx.background.data,
      ctx.background.rows,
    );
    const active = varying.flatMap((v, p) => (v ? [p] : []));
    const M = active.length;
    const budget = Math.min(
      options.budget ?? defaultBudget(M),
      maxCoalitions(M),
    );
    const sample =
      M >= 2
        ? sampleCoalitions(M, budget, rng.fork())
        : {
            masks: new Uint8Array(0),
            weights: new Float64Array(0),
            count: 0,
            fullSizes: 0,
            sampled: 0,
          };

    // Coalitions over all P players, then the empty and the full one.
    const count = sample.count + 2;
    const masks = new Uint8Array(count * P);
    for (let c = 0; c < sample.count; c++) {
      active.forEach((p, j) => {
        masks[c * P + p] = sample.masks[c * M + j] as number;
      });
    }
    masks.fill(1, (count - 1) * P);
    const { values, outputs } = await coalitionValues(ctx, x, masks, count);
    checkOutput(where, output, outputs);
    const v = (c: number) => values[c * outputs + output] as number;
    const base = v(count - 2);
    const fx = v(count - 1);

    const phi = new Array<number>(P).fill(0);
    let singular = false;
    if (M === 1) phi[active[0] as number] = fx - base;
    if (M >= 2) {
      const y = Float64Array.from(
        { length: sample.count },
        (_, c) => v(c) - base,
      );
      const fit = constrainedLeastSquares(
        sample.masks,
        sample.count,
        M,
        sample.weights,
        y,
        fx - base,
      );
      active.forEach((p, j) => (phi[p] = fit.phi[j] as number));
      singular = fit.singular;
    }
    result.values.push(phi);
    result.baseValues.push(base);
    result.fx.push(fx);
    d.coalitions.push(sample.count);
    d.varyingPlayers.push(M);
    d.fullSubsetSizes!.push(sample.fullSizes);
    d.sampledCoalitions!.push(sample.sampled);
    d.singular!.push(singular);
    d.efficiencyGap.push(sum(phi) - (fx - base));
  }
  d.backgroundRows = ctx.background.rows;
  d.modelRows = ctx.runner.rows;
  d.predictCalls = ctx.runner.calls;
  return result;
}

function emptyResult(
  labels: string[],
  shape: number[],
  output: number,
): ShapleyExplanation {
  return {
    method: 'kernelShap',
    values: [],
    labels,
    shape,
    baseValues: [],
    fx: [],
    output,
    diagnostics: {
      coalitions: [],
      varyingPlayers: [],
      fullSubsetSizes: [],
      sampledCoalitions: [],
      singular: [],
      backgroundRows: 0,
      modelRows: 0,
      predictCalls: 0,
      efficiencyGap: [],
    },
  };
}

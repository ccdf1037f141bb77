/**
 * What the Shapley explainers share: options, the result, and the setup
 * that checks inputs, background and players.
 */
import { assertInteger } from '../internal/assert';
import { type BackgroundInput, hostBackground } from './background';
import type { CoalitionContext } from './coalitions';
import {
  type ExplainInputs,
  type Explainable,
  ModelRunner,
  hostData,
  resolveInputs,
} from './model-adapter';
import {
  type PlayerSpec,
  type ResolvedPlayers,
  resolvePlayers,
} from './players';

/** Options every Shapley explainer takes. */
export interface ShapleyOptions {
  /**
   * Background rows (or rows with weights, see `summarizeBackground`): a
   * player outside a coalition takes its values from them, and the value
   * of a coalition is the weighted mean output over them.
   */
  background: BackgroundInput;
  /** The players. @defaultValue every element of every input */
  players?: PlayerSpec;
  /**
   * Which output to explain: an index into the model's outputs per row,
   * all model outputs joined along the last axis. @defaultValue 0
   */
  output?: number;
  /** Rows per prediction call. @defaultValue 512 */
  batchSize?: number;
  /**
   * With a tfjs-layers model, run the branches that see only inputs that
   * no player changes (inputs with players `'fixed'`) once per chunk
   * rather than once per row. Exact for per-sample layers (every layer
   * of tfjs-layers and modalfuse in inference). @defaultValue true
   */
  foldConstants?: boolean;
  /** Called as chunks of coalitions finish, with work done and total. */
  onProgress?: (done: number, total: number) => void;
}

/** Diagnostics of a Shapley explanation. */
export interface ShapleyDiagnostics {
  /** Coalitions evaluated per example, besides the empty and full ones. */
  coalitions: number[];
  /** Players per example that differ from some background row. */
  varyingPlayers: number[];
  /** KernelSHAP: subset sizes enumerated in full, per example. */
  fullSubsetSizes?: number[];
  /** KernelSHAP: coalitions drawn at random, per example. */
  sampledCoalitions?: number[];
  /** KernelSHAP: whether the least squares were singular, per example. */
  singular?: boolean[];
  /** Background rows. */
  backgroundRows: number;
  /** Rows predicted in all. */
  modelRows: number;
  /** Prediction calls in all. */
  predictCalls: number;
  /** Σ values − (f(x) − base) per example: 0 up to rounding. */
  efficiencyGap: number[];
}

/** Shapley values of some examples: plain data for the renderers. */
export interface ShapleyExplanation {
  /** `'kernelShap'`, `'exact'` or `'modality'`. */
  method: 'kernelShap' | 'exact' | 'modality';
  /** Attributions, `[examples][players]`. */
  values: number[][];
  /** One label per player. */
  labels: string[];
  /** The players' layout (an input's sample shape for element players). */
  shape: number[];
  /**
   * Value of the empty coalition per example: the weighted mean output
   * over the background (the same for every example unless some inputs
   * are fixed at the example's values).
   */
  baseValues: number[];
  /** The model's output for each example. */
  fx: number[];
  /** The explained output index. */
  output: number;
  /** Diagnostics. */
  diagnostics: ShapleyDiagnostics;
}

/** Everything an explainer needs after checking its arguments. */
export interface ShapleySetup {
  /** The coalition evaluation context. */
  ctx: CoalitionContext;
  /** Examples to explain. */
  examples: number;
  /** Each example's data per input. */
  example: (i: number) => Record<string, Float32Array | Int32Array>;
  /** Output index. */
  output: number;
}

/**
 * Checks the arguments of a Shapley explainer and prepares the context.
 *
 * @throws TypeError, RangeError or ShapeError for invalid arguments.
 */
export async function setupShapley(
  where: string,
  model: Explainable,
  inputs: ExplainInputs,
  options: ShapleyOptions,
  players?: (resolved: ResolvedPlayers) => ResolvedPlayers,
): Promise<ShapleySetup> {
  if (options === undefined || options.background === undefined) {
    throw new TypeError(`${where}: expected options with a background`);
  }
  const { layout, tensors, rows } = resolveInputs(where, model, inputs);
  const batchSize = options.batchSize ?? 512;
  assertInteger(where, 'batchSize', batchSize, 1);
  const output = options.output ?? 0;
  assertInteger(where, 'output', output, 0);
  let resolved = resolvePlayers(where, layout, options.players);
  if (players) resolved = players(resolved);
  if (resolved.count === 0) {
    throw new TypeError(
      `${where}: expected at least one player, received none (every input ` +
        `is 'fixed' or has empty groups)`,
    );
  }
  const background = await hostBackground(where, layout, options.background);
  const data = await hostData(layout, tensors);
  const runner = new ModelRunner(where, model, layout, {
    ...(options.foldConstants === undefined
      ? {}
      : { foldConstants: options.foldConstants }),
  });
  const example = (i: number) =>
    Object.fromEntries(
      layout.inputs.map((s) => [
        s.name,
        (data[s.name] as Float32Array | Int32Array).subarray(
          i * s.size,
          (i + 1) * s.size,
        ),
      ]),
    );
  return {
    ctx: {
      runner,
      layout,
      players: resolved,
      background,
      batchSize,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
    examples: rows,
    example,
    output,
  };
}

/** Sum of an array. */
export function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s;
}

/**
 * Exact Shapley values by enumerating every coalition, for a few players,
 * and Shapley values of whole modalities.
 */
import { assertInteger } from '../internal/assert';
import { describe } from '../internal/errors';
import { coalitionValues } from './coalitions';
import {
  type ExplainInputs,
  type Explainable,
  checkOutput,
  matchLayout,
  resolveInputs,
} from './model-adapter';
import type { ResolvedPlayers } from './players';
import {
  type ShapleyExplanation,
  type ShapleyOptions,
  setupShapley,
  sum,
} from './shapley-common';
import type { BackgroundInput } from './background';

/** Options of {@link explainShapley}. */
export interface ExactShapleyOptions extends ShapleyOptions {
  /** Refuse more players than this (2^M coalitions). @defaultValue 16 */
  maxPlayers?: number;
}

/**
 * Explains outputs with exact Shapley values: every one of the 2^M
 * coalitions is evaluated (in a few batched calls) and
 * φ_i = Σ_{S ∌ i} |S|! (M − |S| − 1)! / M! (v(S ∪ {i}) − v(S)), with
 * v(S) the weighted mean output over the background rows with the players
 * of S taken from the example. Meant for up to about 12 players; use
 * {@link explainKernelShap} beyond.
 *
 * @example
 * ```ts
 * const exact = await explainShapley(model, rows, { background });
 * ```
 * @param model - A tfjs-layers model or a batched prediction function.
 * @param inputs - The examples, a tensor or a record keyed by input name.
 * @param options - See {@link ExactShapleyOptions}.
 * @returns Attributions per example and player, base values and
 *   diagnostics.
 * @throws RangeError when there are more players than `maxPlayers`;
 *   TypeError or ShapeError for inputs that do not match the model.
 * @see Shapley (1953), A value for n-person games.
 */
export async function explainShapley(
  model: Explainable,
  inputs: ExplainInputs,
  options: ExactShapleyOptions,
): Promise<ShapleyExplanation> {
  return exact('explainShapley', 'exact', model, inputs, options);
}

/** Options of {@link explainModalities}. */
export interface ModalityShapleyOptions extends Omit<
  ShapleyOptions,
  'background' | 'players'
> {
  /**
   * One row per input that stands for an absent modality (zeros, a mean, a
   * blank image). Give this or `background`.
   */
  baseline?: ExplainInputs;
  /**
   * Rows (optionally weighted) over which an absent modality is averaged.
   * Give this or `baseline`.
   */
  background?: BackgroundInput;
  /**
   * Which inputs form each modality, keyed by modality name. Omitted
   * inputs are a modality each, except that an input `<m>_mask` (the
   * builder's mask input) joins modality `<m>`.
   */
  modalities?: Record<string, string[]>;
}

/**
 * Shapley values of whole modalities: each modality is one player, and an
 * absent modality is replaced by its baseline or averaged over background
 * rows. With K modalities, the 2^K coalitions are evaluated in batched
 * calls; the values sum to f(x) minus the output with every modality
 * absent.
 *
 * @example
 * ```ts
 * const parts = await explainModalities(fusedModel, { price, chart }, {
 *   background: { inputs: { price: bgPrice, chart: bgChart }, weights },
 * });
 * parts.labels; // ['chart', 'price']
 * ```
 * @param model - A multi-input tfjs-layers model or prediction function.
 * @param inputs - The examples, a record keyed by input name.
 * @param options - See {@link ModalityShapleyOptions}.
 * @returns One attribution per modality and example.
 * @throws TypeError when neither or both of `baseline` and `background`
 *   are given, or `modalities` names unknown or repeated inputs.
 */
export async function explainModalities(
  model: Explainable,
  inputs: ExplainInputs,
  options: ModalityShapleyOptions,
): Promise<ShapleyExplanation> {
  const where = 'explainModalities';
  const { baseline, background, modalities, ...rest } = options ?? {};
  if ((baseline === undefined) === (background === undefined)) {
    throw new TypeError(
      `${where}: expected exactly one of baseline and background, received ` +
        (baseline === undefined ? 'neither' : 'both'),
    );
  }
  const { layout } = resolveInputs(where, model, inputs);
  if (baseline !== undefined) {
    const { rows } = matchLayout(where, 'baseline', layout, baseline);
    if (rows !== 1) {
      throw new RangeError(
        `${where}: expected a baseline of one row, received ${rows} rows; ` +
          `pass several rows as background`,
      );
    }
  }
  const names = layout.inputs.map((s) => s.name);
  const groups = modalityGroups(where, names, modalities);
  return exact(
    where,
    'modality',
    model,
    inputs,
    {
      ...rest,
      background: (baseline ?? background) as BackgroundInput,
      players: Object.fromEntries(names.map((n) => [n, 'whole' as const])),
    },
    (resolved) => mergeInputs(resolved, names, groups),
  );
}

/** Players per modality: input names grouped, in sorted modality order. */
function modalityGroups(
  where: string,
  names: string[],
  given: Record<string, string[]> | undefined,
): [string, string[]][] {
  const owner = new Map<string, string>();
  for (const [m, list] of Object.entries(given ?? {})) {
    if (!Array.isArray(list) || list.length === 0) {
      throw new TypeError(
        `${where}: expected modality '${m}' to list input names, received ` +
          describe(list),
      );
    }
    for (const n of list) {
      if (!names.includes(n) || owner.has(n)) {
        throw new TypeError(
          `${where}: modality '${m}' names input '${n}', which is ` +
            (owner.has(n) ? `already in '${owner.get(n)}'` : 'not an input') +
            `; the inputs are [${names.join(', ')}]`,
        );
      }
      owner.set(n, m);
    }
  }
  for (const n of names) {
    if (owner.has(n)) continue;
    const base = n.endsWith('_mask') ? n.slice(0, -5) : null;
    owner.set(n, base !== null && names.includes(base) ? base : n);
  }
  for (const n of names) {
    // A mask input follows its modality even when that one was renamed.
    const m = owner.get(n) as string;
    if (names.includes(m) && owner.get(m) !== m) owner.set(n, owner.get(m)!);
  }
  const groups = new Map<string, string[]>();
  for (const n of names) {
    const m = owner.get(n) as string;
    groups.set(m, [...(groups.get(m) ?? []), n]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Merges per-input 'whole' players into one player per modality. */
function mergeInputs(
  resolved: ResolvedPlayers,
  names: string[],
  groups: [string, string[]][],
): ResolvedPlayers {
  const assignment: Record<string, Int32Array | null> = {};
  for (const n of names) {
    const g = groups.findIndex(([, list]) => list.includes(n));
    const a = resolved.assignment[n] as Int32Array;
    assignment[n] = new Int32Array(a.length).fill(g);
  }
  return {
    count: groups.length,
    labels: groups.map(([m]) => m),
    assignment,
    shape: [groups.length],
  };
}

async function exact(
  where: string,
  method: 'exact' | 'modality',
  model: Explainable,
  inputs: ExplainInputs,
  options: ExactShapleyOptions,
  players?: (resolved: ResolvedPlayers) => ResolvedPlayers,
): Promise<ShapleyExplanation> {
  const setup = await setupShapley(where, model, inputs, options, players);
  const { ctx, output } = setup;
  const maxPlayers = options.maxPlayers ?? 16;
  assertInteger(where, 'maxPlayers', maxPlayers, 1);
  const M = ctx.players.count;
  if (M > maxPlayers) {
    throw new RangeError(
      `${where}: expected at most ${maxPlayers} players (2^M coalitions), ` +
        `received ${M}; group players or use explainKernelShap`,
    );
  }

  // Every coalition, encoded by its bitmask (bit i = player i present).
  const count = 2 ** M;
  const masks = new Uint8Array(count * M);
  for (let s = 0; s < count; s++) {
    for (let i = 0; i < M; i++) masks[s * M + i] = (s >> i) & 1;
  }
  const weight = shapleyWeights(M);
  const result: ShapleyExplanation = {
    method,
    values: [],
    labels: ctx.players.labels,
    shape: ctx.players.shape,
    baseValues: [],
    fx: [],
    output,
    diagnostics: {
      coalitions: [],
      varyingPlayers: [],
      backgroundRows: ctx.background.rows,
      modelRows: 0,
      predictCalls: 0,
      efficiencyGap: [],
    },
  };
  for (let e = 0; e < setup.examples; e++) {
    const { values, outputs } = await coalitionValues(
      ctx,
      setup.example(e),
      masks,
      count,
    );
    checkOutput(where, output, outputs);
    const v = (s: number) => values[s * outputs + output] as number;
    const phi = new Array<number>(M).fill(0);
    for (let s = 0; s < count; s++) {
      const size = popcount(s);
      for (let i = 0; i < M; i++) {
        if (s & (1 << i)) continue;
        phi[i] = phi[i]! + (weight[size] as number) * (v(s | (1 << i)) - v(s));
      }
    }
    const base = v(0);
    const fx = v(count - 1);
    result.values.push(phi);
    result.baseValues.push(base);
    result.fx.push(fx);
    result.diagnostics.coalitions.push(count - 2);
    result.diagnostics.varyingPlayers.push(M);
    result.diagnostics.efficiencyGap.push(sum(phi) - (fx - base));
  }
  result.diagnostics.modelRows = ctx.runner.rows;
  result.diagnostics.predictCalls = ctx.runner.calls;
  return result;
}

/** |S|! (M − |S| − 1)! / M! for |S| = 0..M−1. */
function shapleyWeights(M: number): Float64Array {
  const w = new Float64Array(M);
  for (let s = 0; s < M; s++) {
    // 1 / (M * C(M-1, s)), computed without factorials.
    let c = 1;
    for (let i = 1; i <= s; i++) c = (c * (M - 1 - s + i)) / i;
    w[s] = 1 / (M * c);
  }
  return w;
}

function popcount(s: number): number {
  let n = 0;
  while (s) {
    s &= s - 1;
    n++;
  }
  return n;
}

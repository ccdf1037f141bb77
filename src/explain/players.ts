/**
 * Players of an explanation: which input elements move together when a
 * coalition takes them from the explained sample or from a background row.
 */
import { ShapeError, describe, formatShape } from '../internal/errors';
import type { InputLayout, InputSpec } from './model-adapter';

/**
 * How the elements of one input become players.
 *
 * - `'elements'`: every element is a player (a tabular column, a cell of a
 *   time step × feature window);
 * - `'whole'`: the whole input is one player (a modality);
 * - `'fixed'`: no player; the input keeps the explained sample's values;
 * - `{ axis, labels }`: one player per index along a sample axis (axis 0 is
 *   the first axis after the batch axis: the time steps of `[time,
 *   features]`; axis 1 its features);
 * - `{ groups, labels }`: players from lists of flat per-sample element
 *   indices (one-hot columns together); elements in no group are fixed;
 * - `{ axisLabels }`: every element a player, labelled by its index labels
 *   along each axis (`[dates, featureNames]`).
 */
export type InputPlayers =
  | 'elements'
  | 'whole'
  | 'fixed'
  | {
      /** Sample axis whose indices are the players (0: time, 1: feature). */
      axis: number;
      /** One label per index along `axis`. @defaultValue the indices */
      labels?: string[];
    }
  | {
      /** Flat per-sample element indices of each player. */
      groups: number[][];
      /** One label per group. @defaultValue the group numbers */
      labels?: string[];
    }
  | {
      /** Index labels along each sample axis (`[dates, featureNames]`). */
      axisLabels: string[][];
    };

/**
 * Players of all inputs: one {@link InputPlayers} for a single input, or a
 * record keyed by input name (omitted inputs are `'elements'`).
 */
export type PlayerSpec = InputPlayers | Record<string, InputPlayers>;

/** Players resolved against the inputs. */
export interface ResolvedPlayers {
  /** Number of players. */
  count: number;
  /** One label per player. */
  labels: string[];
  /**
   * Per input, the player of each element (`-1`: fixed), or null when the
   * whole input is fixed.
   */
  assignment: Record<string, Int32Array | null>;
  /**
   * The players' layout: the input's sample shape when every player is an
   * element of one input, else `[count]`.
   */
  shape: number[];
}

/**
 * Resolves a player spec against the inputs.
 *
 * @param where - The explainer, for messages.
 * @param layout - The inputs.
 * @param spec - See {@link PlayerSpec}; default every element of every
 *   input.
 * @returns The players.
 * @throws TypeError for an unknown input name or spec; RangeError for an
 *   axis or element index out of range, overlapping groups or labels of
 *   the wrong length.
 */
export function resolvePlayers(
  where: string,
  layout: InputLayout,
  spec: PlayerSpec | undefined,
): ResolvedPlayers {
  const perInput = normalizeSpec(where, layout, spec);
  const named = layout.inputs.filter((s) => perInput[s.name] !== 'fixed');
  const prefix = named.length > 1;
  const labels: string[] = [];
  const assignment: Record<string, Int32Array | null> = {};
  let shape: number[] | null = null;
  for (const input of layout.inputs) {
    const p = perInput[input.name] as InputPlayers;
    if (p === 'fixed') {
      assignment[input.name] = null;
      continue;
    }
    const a = new Int32Array(input.size).fill(-1);
    const own = assign(where, input, p, a, labels.length);
    const tag = (l: string) => (prefix ? `${input.name}: ${l}` : l);
    labels.push(...own.map((l) => (p === 'whole' ? l : tag(l))));
    assignment[input.name] = a;
    const isGrid =
      p === 'elements' || (typeof p === 'object' && 'axisLabels' in p);
    shape = named.length === 1 && isGrid ? [...input.shape] : null;
  }
  return {
    count: labels.length,
    labels,
    assignment,
    shape: shape ?? [labels.length],
  };
}

function normalizeSpec(
  where: string,
  layout: InputLayout,
  spec: PlayerSpec | undefined,
): Record<string, InputPlayers> {
  const names = layout.inputs.map((s) => s.name);
  if (spec === undefined) {
    return Object.fromEntries(names.map((n) => [n, 'elements' as const]));
  }
  if (isInputPlayers(spec)) {
    if (names.length !== 1) {
      throw new TypeError(
        `${where}: the inputs [${names.join(', ')}] need players keyed by ` +
          `input name, received ${describe(spec)}`,
      );
    }
    return { [names[0] as string]: spec };
  }
  const unknown = Object.keys(spec).filter((k) => !names.includes(k));
  if (unknown.length > 0) {
    throw new TypeError(
      `${where}: players name unknown inputs [${unknown.join(', ')}]; the ` +
        `inputs are [${names.join(', ')}]`,
    );
  }
  return Object.fromEntries(names.map((n) => [n, spec[n] ?? 'elements']));
}

function isInputPlayers(spec: PlayerSpec): spec is InputPlayers {
  return (
    typeof spec === 'string' ||
    'axis' in spec ||
    'groups' in spec ||
    'axisLabels' in spec
  );
}

/** Fills `a` with player indices from `first` on; returns their labels. */
function assign(
  where: string,
  input: InputSpec,
  p: InputPlayers,
  a: Int32Array,
  first: number,
): string[] {
  const { name, shape, size } = input;
  if (p === 'whole') {
    a.fill(first);
    return [name];
  }
  if (p === 'elements' || (typeof p === 'object' && 'axisLabels' in p)) {
    const axisLabels = typeof p === 'object' ? p.axisLabels : null;
    if (axisLabels) checkAxisLabels(where, input, axisLabels);
    for (let e = 0; e < size; e++) a[e] = first + e;
    return Array.from({ length: size }, (_, e) => {
      const index = unravel(e, shape);
      return axisLabels
        ? index.map((i, d) => axisLabels[d]![i]).join(' · ')
        : `${name}[${index.join(',')}]`;
    });
  }
  if (typeof p === 'object' && 'axis' in p) {
    const { axis } = p;
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
      throw new RangeError(
        `${where}: expected the player axis of '${name}' in ` +
          `[0, ${shape.length - 1}] (sample shape ${formatShape(shape)}), ` +
          `received ${describe(axis)}`,
      );
    }
    const n = shape[axis] as number;
    const inner = shape.slice(axis + 1).reduce((x, y) => x * y, 1);
    for (let e = 0; e < size; e++) a[e] = first + (Math.floor(e / inner) % n);
    return labelsOrDefault(where, name, p.labels, n, (i) => `${name}[${i}]`);
  }
  if (typeof p === 'object' && 'groups' in p) {
    p.groups.forEach((group, g) => {
      for (const e of group) {
        if (!Number.isInteger(e) || e < 0 || e >= size) {
          throw new RangeError(
            `${where}: expected element indices of '${name}' in ` +
              `[0, ${size - 1}], received ${describe(e)} in group ${g}`,
          );
        }
        if (a[e] !== -1) {
          throw new RangeError(
            `${where}: element ${e} of '${name}' is in groups ` +
              `${(a[e] as number) - first} and ${g}; groups must not overlap`,
          );
        }
        a[e] = first + g;
      }
    });
    return labelsOrDefault(
      where,
      name,
      p.labels,
      p.groups.length,
      (g) => `${name} group ${g}`,
    );
  }
  throw new TypeError(
    `${where}: expected the players of '${name}' to be 'elements', ` +
      `'whole', 'fixed', { axis }, { groups } or { axisLabels }, received ` +
      describe(p),
  );
}

function labelsOrDefault(
  where: string,
  name: string,
  labels: string[] | undefined,
  n: number,
  fallback: (i: number) => string,
): string[] {
  if (labels === undefined)
    return Array.from({ length: n }, (_, i) => fallback(i));
  if (labels.length !== n) {
    throw new RangeError(
      `${where}: expected ${n} player labels for '${name}', received ` +
        labels.length,
    );
  }
  return [...labels];
}

function checkAxisLabels(
  where: string,
  input: InputSpec,
  axisLabels: string[][],
): void {
  const ok =
    axisLabels.length === input.shape.length &&
    axisLabels.every((l, d) => l.length === input.shape[d]);
  if (!ok) {
    throw new ShapeError(
      `${where}: expected axis labels of lengths ` +
        `${formatShape(input.shape)} for '${input.name}', received lengths ` +
        formatShape(axisLabels.map((l) => l.length)),
    );
  }
}

function unravel(e: number, shape: number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] as number;
    index[d] = e % n;
    e = Math.floor(e / n);
  }
  return index;
}

/**
 * Which players of one sample differ from at least one background row; the
 * others cannot change the output and get zero attribution.
 *
 * @param players - The players.
 * @param x - One sample's data per input.
 * @param background - Background data per input, `[rows * size]`.
 * @param rows - Background rows.
 * @returns One flag per player.
 */
export function varyingPlayers(
  players: ResolvedPlayers,
  x: Record<string, ArrayLike<number>>,
  background: Record<string, ArrayLike<number>>,
  rows: number,
): boolean[] {
  const varying = new Array<boolean>(players.count).fill(false);
  for (const [name, a] of Object.entries(players.assignment)) {
    if (a === null) continue;
    const xs = x[name] as ArrayLike<number>;
    const bg = background[name] as ArrayLike<number>;
    const size = a.length;
    for (let r = 0; r < rows; r++) {
      const offset = r * size;
      for (let e = 0; e < size; e++) {
        const p = a[e] as number;
        if (p >= 0 && !varying[p] && bg[offset + e] !== xs[e])
          varying[p] = true;
      }
    }
  }
  return varying;
}

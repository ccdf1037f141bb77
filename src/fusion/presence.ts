/**
 * Presence masks and learned placeholders, shared by the fusion layers.
 *
 * A presence mask is `[batch, modalities]`, 1 where a sample has the
 * modality and 0 where it is absent, its columns in sorted modality order.
 * It only ever multiplies values: no comparison on it enters a gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertOneOf } from '../internal/assert';
import { ShapeError, formatShape, formatShapes } from '../internal/errors';
import { type LayerShape, addSeededWeight } from '../internal/layer-utils';
import { Random } from '../internal/random';

/**
 * What replaces an absent modality: a learned vector per modality
 * (`'placeholder'`, initialised to zeros) or zeros (`'zeros'`).
 */
export type AbsentMode = 'placeholder' | 'zeros';

/** The absent-modality modes, for validation. */
export const ABSENT_MODES: readonly AbsentMode[] = ['placeholder', 'zeros'];

/** Validates an `absent` option and applies its default. */
export function absentMode(where: string, value: unknown): AbsentMode {
  const mode = value ?? 'placeholder';
  assertOneOf(where, 'absent', mode, ABSENT_MODES);
  return mode;
}

/**
 * Throws a ShapeError unless every modality input has rank `rank` (or at
 * least `minRank` when `rank` is null) and all agree on the batch size.
 */
export function checkModalityShapes(
  where: string,
  modalities: readonly string[],
  shapes: readonly LayerShape[],
  rank: number | null,
  minRank = 2,
): void {
  const bad = shapes.some((s) =>
    rank === null ? s.length < minRank : s.length !== rank,
  );
  if (bad) {
    const expected = rank === null ? `rank >= ${minRank}` : `rank ${rank}`;
    throw new ShapeError(
      `${where}: expected ${shapes.length} inputs of ${expected} for ` +
        `[${modalities.join(', ')}], received shapes ${formatShapes(shapes)}`,
    );
  }
  checkBatch(where, modalities, shapes);
}

/** Throws a ShapeError when known batch sizes differ. */
export function checkBatch(
  where: string,
  names: readonly string[],
  shapes: readonly LayerShape[],
): void {
  const known = shapes.map((s) => s[0]).filter((b) => b != null);
  if (known.some((b) => b !== known[0])) {
    throw new ShapeError(
      `${where}: expected one batch size for [${names.join(', ')}], ` +
        `received shapes ${formatShapes(shapes)}`,
    );
  }
}

/** Throws a ShapeError unless `shape` is `[batch, k]` with a known batch. */
export function checkPresenceShape(
  where: string,
  modalities: readonly string[],
  shape: LayerShape,
  batch: number | null | undefined,
): void {
  const k = modalities.length;
  const ok =
    shape.length === 2 &&
    (shape[1] === null || shape[1] === k) &&
    (batch == null || shape[0] == null || shape[0] === batch);
  if (!ok) {
    throw new ShapeError(
      `${where}: expected a presence mask [${batch ?? 'batch'}, ${k}] for ` +
        `[${modalities.join(', ')}], received shape ${formatShape(shape)}`,
    );
  }
}

/**
 * Throws a ShapeError unless there are `k` modality inputs, optionally
 * followed by the given extra inputs.
 *
 * @returns Whether the optional presence mask is present.
 */
export function countInputs(
  where: string,
  modalities: readonly string[],
  shapes: readonly LayerShape[],
  fixedExtras: readonly string[] = [],
): boolean {
  const k = modalities.length;
  const base = k + fixedExtras.length;
  if (shapes.length !== base && shapes.length !== base + 1) {
    const extras = [...fixedExtras, 'an optional presence mask'].join(', ');
    throw new ShapeError(
      `${where}: expected ${k} modality inputs ` +
        `[${modalities.join(', ')}] and ${extras}, received ` +
        `${shapes.length} inputs with shapes ${formatShapes(shapes)}`,
    );
  }
  return shapes.length === base + 1;
}

/**
 * Learned placeholder vectors, one per modality, that stand in for an
 * absent modality.
 */
export class Placeholders {
  private readonly variables: (tfl.LayerVariable | null)[];

  /**
   * Adds one zero-initialised weight `placeholder_<modality>` of shape
   * `[dims[m]]` per modality to `layer` (none in `'zeros'` mode).
   *
   * @param layer - The owning layer, inside its `build`.
   * @param modalities - Modality names in sorted order.
   * @param dims - Feature size (last axis) of each modality.
   * @param mode - Placeholder or zeros.
   */
  constructor(
    layer: tfl.layers.Layer,
    modalities: readonly string[],
    dims: readonly number[],
    readonly mode: AbsentMode,
  ) {
    const rng = new Random(0);
    this.variables = modalities.map((m, i) =>
      mode === 'placeholder'
        ? addSeededWeight(layer, `placeholder_${m}`, [dims[i]!], 'zeros', rng)
        : null,
    );
  }

  /**
   * Replaces absent modalities: `x_m p_m + φ_m (1 − p_m)`, with `p_m` the
   * presence column broadcast over every axis of `x_m` but the batch.
   *
   * @param values - One tensor per modality `[batch, ..., d_m]`.
   * @param presence - The mask `[batch, k]`.
   * @returns The filled tensors, in the same order.
   */
  fill(values: readonly tf.Tensor[], presence: tf.Tensor): tf.Tensor[] {
    const k = values.length;
    const mask = tf.cast(presence, 'float32');
    const columns = k === 1 ? [mask] : tf.split(mask, k, 1);
    return values.map((x, i) => this.fillOne(i, x, columns[i] as tf.Tensor));
  }

  /**
   * Replaces one modality where it is absent.
   *
   * @param index - The modality's index among the placeholders.
   * @param x - Its values, `[batch, ..., d]`.
   * @param present - Its presence column, `[batch, 1]`, float32.
   * @returns The filled tensor, shaped like `x`.
   */
  fillOne(index: number, x: tf.Tensor, present: tf.Tensor): tf.Tensor {
    let p = present;
    if (x.rank > 2) {
      p = tf.reshape(p, [p.shape[0] as number, ...Array(x.rank - 1).fill(1)]);
    }
    const phi = this.variables[index]?.read();
    if (!phi) return tf.mul(x, p);
    // φ + (x − φ) p: one product for both terms.
    return tf.add(phi, tf.mul(tf.sub(x, phi), p));
  }
}

/**
 * Throws a ShapeError when the last axis of the modality inputs differs
 * from the sizes the layer was built with.
 */
export function checkBuiltDims(
  where: string,
  modalities: readonly string[],
  shapes: readonly LayerShape[],
  dims: readonly number[] | null,
): void {
  if (!dims) return;
  const differs = shapes.some((s, i) => s[s.length - 1] !== dims[i]);
  if (differs) {
    const expected = shapes.map(
      (s, i) =>
        `[${[...s.slice(0, -1).map((d) => d ?? 'batch'), dims[i]].join(',')}]`,
    );
    throw new ShapeError(
      `${where}: expected inputs [${expected.join(',')}] for ` +
        `[${modalities.join(', ')}] (the sizes it was built with), ` +
        `received shapes ${formatShapes(shapes)}`,
    );
  }
}

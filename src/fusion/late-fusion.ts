/**
 * Weighted late (decision) fusion.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { ShapeError, formatShapes } from '../internal/errors';
import {
  type Kwargs,
  type LayerShape,
  addSeededWeight,
  asShapeList,
  asTensorList,
} from '../internal/layer-utils';
import { Random } from '../internal/random';
import { FusionLayer, type FusionLayerArgs } from './fusion-layer';

/** Options of {@link LateFusion}. */
export interface LateFusionArgs extends FusionLayerArgs {
  /**
   * Non-negative weight of each modality's prediction, keyed by modality:
   * one number, or one per output unit (e.g. `[w_max, w_min]`). Weights
   * are normalised to sum to 1 over the modalities present.
   * @defaultValue equal weights
   */
  weights?: Record<string, number | number[]>;
  /**
   * Learn the weights by training: w = softmax over modalities of learned
   * logits, initialised from `weights` (per unit when `weights` are per
   * unit). @defaultValue false
   */
  learnable?: boolean;
}

/**
 * Fuses the predictions of several unimodal models as a weighted average:
 * `y = Σ_m w_m p_m / Σ_m w_m`, per output unit.
 *
 * Fixed weights (for example fitted on validation data with
 * {@link fitLateFusionWeights}), or learned ones through a softmax over
 * modality logits. With a presence mask `[batch, modalities]` (1 present,
 * 0 absent, modalities in sorted order) as the last input, the weights are
 * renormalised over the modalities present in each sample; a sample with
 * no modality present gets 0.
 *
 * Inputs: one prediction `[batch, ..., units]` per modality, all of one
 * shape, in sorted modality order (or a record through `applyRecord`),
 * optionally followed by the presence mask. Output: `[batch, ..., units]`.
 *
 * @see Kittler et al. (1998), On combining classifiers.
 */
export class LateFusion extends FusionLayer {
  /** @internal */
  static className = 'modalfuse>LateFusion';

  /** Initial or fixed weights, `[modalities][units]` (units 1 if shared). */
  readonly weightTable: number[][];
  /** Whether the weights are learned. */
  readonly learnable: boolean;

  private logits: tfl.LayerVariable | null = null;

  /** @param args - See {@link LateFusionArgs}. */
  constructor(args: LateFusionArgs) {
    super(args, 'late_fusion');
    this.weightTable = weightTable(
      `LateFusion '${this.name}'`,
      this.modalities,
      args.weights,
    );
    this.learnable = args.learnable ?? false;
  }

  /** The current normalised weights `[modalities][units]`. */
  currentWeights(): number[][] {
    return tf.tidy(() => this.weightTensor().arraySync() as number[][]);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    this.checkShapes(asShapeList(inputShape));
    if (this.learnable) {
      const k = this.modalities.length;
      const units = (this.weightTable[0] as number[]).length;
      this.logits = addSeededWeight(
        this,
        'logits',
        [k, units],
        'zeros',
        new Random(0),
      );
      // Start from the configured weights: softmax(log w) = w / Σ w.
      const init = this.weightTable.flat().map((w) => Math.log(w + 1e-12));
      tf.tidy(() => {
        this.logits!.write(tf.tensor2d(init, [k, units]));
      });
    }
    this.built = true;
  }

  override computeOutputShape(
    inputShape: LayerShape | LayerShape[],
  ): LayerShape {
    return [...(this.checkShapes(asShapeList(inputShape))[0] as LayerShape)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = asTensorList(inputs);
      this.checkShapes(list.map((t) => t.shape));
      const k = this.modalities.length;
      let predictions = tf.stack(list.slice(0, k), -1); // [..., units, k]
      let w = tf.transpose(this.weightTensor()); // [units, k]
      let none: tf.Tensor | null = null;
      const presence = list[k];
      if (presence) {
        // [batch, k] -> [batch, 1, ..., 1, k], broadcast over every axis.
        // Any value above 0.5 counts as present.
        const shape = [presence.shape[0] as number];
        for (let i = 2; i < predictions.rank; i++) shape.push(1);
        const isPresent = tf.reshape(tf.greater(presence, 0.5), [...shape, k]);
        const present = tf.cast(isPresent, 'float32');
        // An absent modality's prediction may be garbage, even NaN: drop it
        // rather than weight it by zero (0 * NaN is NaN).
        predictions = tf.where(
          tf.broadcastTo(isPresent, predictions.shape),
          predictions,
          tf.zerosLike(predictions),
        );
        w = tf.mul(w, present);
        // Samples with no modality present (or only zero-weight ones) get 0.
        // Computed from the mask and the fixed sign of the weights, never
        // from the learned values, so no comparison enters the gradient.
        const live = tf.mul(present, tf.transpose(this.positiveWeights()));
        none = tf.cast(tf.equal(tf.sum(live, -1), 0), 'float32');
      }
      let total = tf.sum(w, -1); // [..., units]
      if (none) total = tf.add(total, none);
      return tf.div(tf.sum(tf.mul(predictions, w), -1), total);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const weights: Record<string, number[]> = {};
    this.modalities.forEach((m, i) => {
      weights[m] = [...(this.weightTable[i] as number[])];
    });
    return { ...super.getConfig(), weights, learnable: this.learnable };
  }

  /** 1 where a weight can be non-zero, `[k, units]`: learned ones always. */
  private positiveWeights(): tf.Tensor2D {
    // A fresh tensor, not onesLike(logits): that would put the comparison
    // below on the logits' gradient path, and tfjs has no gradient for it.
    if (this.logits) return tf.ones(this.logits.shape as [number, number]);
    return tf.tensor2d(
      this.weightTable.map((r) => r.map((v) => (v > 0 ? 1 : 0))),
    );
  }

  /** Normalised weights `[k, units]`. */
  private weightTensor(): tf.Tensor2D {
    if (this.logits) {
      // Softmax over modalities (axis 0) of the [k, units] logits.
      const byUnit = tf.softmax(tf.transpose(this.logits.read()), -1);
      return tf.transpose(byUnit) as tf.Tensor2D;
    }
    const table = tf.tensor2d(this.weightTable);
    return tf.div(table, tf.sum(table, 0, true)) as tf.Tensor2D;
  }

  private checkShapes(shapes: LayerShape[]): LayerShape[] {
    const where = `LateFusion '${this.name}'`;
    const k = this.modalities.length;
    const names = `[${this.modalities.join(', ')}]`;
    if (shapes.length !== k && shapes.length !== k + 1) {
      throw new ShapeError(
        `${where}: expected ${k} predictions ${names} and an optional ` +
          `presence mask, received ${shapes.length} inputs with shapes ` +
          formatShapes(shapes),
      );
    }
    const first = shapes[0] as LayerShape;
    const same = shapes
      .slice(0, k)
      .every(
        (s) =>
          s.length === first.length &&
          s.every((d, i) => d === null || first[i] === null || d === first[i]),
      );
    if (first.length < 2 || !same) {
      throw new ShapeError(
        `${where}: expected predictions of one shape [batch, ..., units] ` +
          `for ${names}, received shapes ${formatShapes(shapes.slice(0, k))}`,
      );
    }
    const units = first[first.length - 1] ?? null;
    const perUnit = (this.weightTable[0] as number[]).length;
    if (perUnit > 1 && units !== null && units !== perUnit) {
      throw new ShapeError(
        `${where}: weights are given per unit for ${perUnit} units, but ` +
          `the predictions have shape ${formatShapes([first])}`,
      );
    }
    const presence = shapes[k];
    const batch = first[0];
    if (
      presence &&
      (presence.length !== 2 ||
        (presence[1] !== null && presence[1] !== k) ||
        (presence[0] != null && batch != null && presence[0] !== batch))
    ) {
      throw new ShapeError(
        `${where}: expected a presence mask [${batch ?? 'batch'}, ${k}] ` +
          `for ${names}, received shape ${formatShapes([presence])}`,
      );
    }
    return shapes;
  }
}
tf.serialization.registerClass(LateFusion);

/**
 * Creates a {@link LateFusion}.
 *
 * @example
 * ```ts
 * const fuse = lateFusion({
 *   modalities: ['lstm', 'cnn'],
 *   weights: { lstm: [0.7, 0.4], cnn: [0.3, 0.6] }, // per output unit
 * });
 * const y = fuse.applyRecord({ lstm: lstmPrediction, cnn: cnnPrediction });
 * ```
 * @param args - See {@link LateFusionArgs}.
 * @returns The layer.
 */
export function lateFusion(args: LateFusionArgs): LateFusion {
  return new LateFusion(args);
}

/** Validates the weights and lays them out as `[modalities][units]`. */
function weightTable(
  where: string,
  modalities: string[],
  weights: Record<string, number | number[]> | undefined,
): number[][] {
  if (weights === undefined) return modalities.map(() => [1]);
  const unknown = Object.keys(weights).filter((k) => !modalities.includes(k));
  const missing = modalities.filter((m) => !(m in weights));
  if (unknown.length > 0 || missing.length > 0) {
    throw new TypeError(
      `${where}: expected weights for [${modalities.join(', ')}], received ` +
        `weights for [${Object.keys(weights).sort().join(', ')}]`,
    );
  }
  const rows = modalities.map((m) => {
    const w = weights[m] as number | number[];
    return typeof w === 'number' ? [w] : [...w];
  });
  const units = Math.max(...rows.map((r) => r.length));
  if (units < 1) {
    throw new RangeError(
      `${where}: expected at least one weight per modality, received ` +
        JSON.stringify(weights),
    );
  }
  const table = rows.map((r) => (r.length === 1 ? Array(units).fill(r[0]) : r));
  table.forEach((r, i) => {
    if (r.length !== units || r.some((v) => !Number.isFinite(v) || v < 0)) {
      throw new RangeError(
        `${where}: expected weight of '${modalities[i]}' to be a ` +
          `non-negative number or ${units} of them, received ` +
          JSON.stringify(weights[modalities[i] as string]),
      );
    }
  });
  for (let u = 0; u < units; u++) {
    if (table.every((r) => r[u] === 0)) {
      throw new RangeError(
        `${where}: expected at least one positive weight for unit ${u}, ` +
          `received all zeros`,
      );
    }
  }
  return table;
}

/**
 * Concatenation fusion, for early and intermediate fusion.
 */
import * as tf from '@tensorflow/tfjs-core';

import { ShapeError, formatShapes } from '../internal/errors';
import {
  type Kwargs,
  type LayerShape,
  asShapeList,
  asTensorList,
} from '../internal/layer-utils';
import { FusionLayer, type FusionLayerArgs } from './fusion-layer';

/** Options of {@link ConcatFusion}. */
export type ConcatFusionArgs = FusionLayerArgs;

/**
 * Joins one tensor per modality along the last axis, in sorted modality
 * order.
 *
 * Early fusion: raw inputs `[batch, time, f_m]` that share batch and time
 * give `[batch, time, Σ f_m]`, for one encoder over the joined features.
 * Intermediate fusion: encoder outputs `[batch, d_m]` give
 * `[batch, Σ d_m]`. Every axis but the last must agree.
 *
 * Inputs: an array in sorted modality order, or a record through
 * {@link FusionLayer.applyRecord}. Output: `[..., Σ d_m]`.
 *
 * @see Baltrušaitis, Ahuja and Morency (2019), Multimodal Machine Learning:
 * A Survey and Taxonomy (early and intermediate fusion).
 */
export class ConcatFusion extends FusionLayer {
  /** @internal */
  static className = 'modalfuse>ConcatFusion';

  /** @param args - See {@link ConcatFusionArgs}. */
  constructor(args: ConcatFusionArgs) {
    super(args, 'concat_fusion');
  }

  override computeOutputShape(
    inputShape: LayerShape | LayerShape[],
  ): LayerShape {
    const shapes = this.checkShapes(asShapeList(inputShape));
    const first = shapes[0] as LayerShape;
    let total: number | null = 0;
    for (const s of shapes) {
      const d = s[s.length - 1];
      total =
        total === null || d === null || d === undefined ? null : total + d;
    }
    return [...first.slice(0, -1), total];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const list = asTensorList(inputs);
    this.checkShapes(list.map((t) => t.shape));
    return list.length === 1
      ? tf.clone(list[0] as tf.Tensor)
      : tf.concat(list, -1);
  }

  private checkShapes(shapes: LayerShape[]): LayerShape[] {
    const where = `ConcatFusion '${this.name}'`;
    const k = this.modalities.length;
    if (shapes.length !== k) {
      throw new ShapeError(
        `${where}: expected ${k} inputs (${this.modalities.join(', ')}), ` +
          `received ${shapes.length} with shapes ${formatShapes(shapes)}`,
      );
    }
    const first = shapes[0] as LayerShape;
    const mismatch = shapes.some(
      (s) =>
        s.length !== first.length ||
        s
          .slice(0, -1)
          .some((d, i) => d !== null && first[i] !== null && d !== first[i]),
    );
    if (first.length < 2 || mismatch) {
      throw new ShapeError(
        `${where}: expected inputs of one rank >= 2 that agree on every ` +
          `axis but the last, received shapes ${formatShapes(shapes)} for ` +
          `[${this.modalities.join(', ')}]`,
      );
    }
    return shapes;
  }
}
tf.serialization.registerClass(ConcatFusion);

/**
 * Creates a {@link ConcatFusion}.
 *
 * @example
 * ```ts
 * const fused = concatFusion({ modalities: ['price', 'chart'] }).applyRecord({
 *   price: priceEmbedding, // [null, 64]
 *   chart: chartEmbedding, // [null, 1024]
 * }); // [null, 1088], chart first (sorted order)
 * ```
 * @param args - See {@link ConcatFusionArgs}.
 * @returns The layer.
 */
export function concatFusion(args: ConcatFusionArgs): ConcatFusion {
  return new ConcatFusion(args);
}

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
import {
  type AbsentMode,
  Placeholders,
  absentMode,
  checkPresenceShape,
} from './presence';

/** Options of {@link ConcatFusion}. */
export interface ConcatFusionArgs extends FusionLayerArgs {
  /**
   * What stands in for an absent modality when a presence mask is given: a
   * learned vector per modality, broadcast over every axis but the last
   * (`'placeholder'`), or zeros. @defaultValue 'placeholder'
   */
  absent?: AbsentMode;
}

/**
 * Joins one tensor per modality along the last axis, in sorted modality
 * order.
 *
 * Early fusion: raw inputs `[batch, time, f_m]` that share batch and time
 * give `[batch, time, Σ f_m]`, for one encoder over the joined features.
 * Intermediate fusion: encoder outputs `[batch, d_m]` give
 * `[batch, Σ d_m]`. Every axis but the last must agree.
 *
 * Missing modalities: with a presence mask `[batch, modalities]` (1
 * present, 0 absent, sorted modality order) as the last input, an absent
 * modality's features are replaced by a learned placeholder vector
 * `φ_m` of size `f_m`: `x̃_m = p_m x_m + (1 − p_m) φ_m`. The placeholders
 * (weights `placeholder_<modality>`, initialised to zeros) exist only when
 * the layer is built with a presence mask, so a layer without one has no
 * weights.
 *
 * Inputs: an array in sorted modality order, or a record through
 * {@link FusionLayer.applyRecord}, optionally followed by the presence
 * mask. Output: `[..., Σ f_m]`.
 *
 * @see Baltrušaitis, Ahuja and Morency (2019), Multimodal Machine Learning:
 * A Survey and Taxonomy (early and intermediate fusion).
 */
export class ConcatFusion extends FusionLayer {
  /** @internal */
  static className = 'modalfuse>ConcatFusion';

  /** What replaces an absent modality. */
  readonly absent: AbsentMode;

  private placeholders: Placeholders | null = null;

  /** @param args - See {@link ConcatFusionArgs}. */
  constructor(args: ConcatFusionArgs) {
    super(args, 'concat_fusion');
    this.absent = absentMode('ConcatFusion', args.absent);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shapes = this.checkShapes(asShapeList(inputShape));
    if (shapes.length > this.modalities.length) {
      const dims = shapes
        .slice(0, this.modalities.length)
        .map((s) => s[s.length - 1] as number);
      this.placeholders = new Placeholders(
        this,
        this.modalities,
        dims,
        this.absent,
      );
    }
    this.built = true;
  }

  override computeOutputShape(
    inputShape: LayerShape | LayerShape[],
  ): LayerShape {
    const shapes = this.checkShapes(asShapeList(inputShape)).slice(
      0,
      this.modalities.length,
    );
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
    return tf.tidy(() => {
      const list = asTensorList(inputs);
      this.checkShapes(list.map((t) => t.shape));
      const k = this.modalities.length;
      let values = list.slice(0, k);
      const presence = list[k];
      if (presence) {
        values = this.requirePlaceholders().fill(values, presence);
      }
      return values.length === 1
        ? tf.clone(values[0] as tf.Tensor)
        : tf.concat(values, -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), absent: this.absent };
  }

  private requirePlaceholders(): Placeholders {
    if (!this.placeholders) {
      throw new ShapeError(
        `ConcatFusion '${this.name}': received a presence mask, but the ` +
          `layer was built without one; pass the mask from the first call`,
      );
    }
    return this.placeholders;
  }

  private checkShapes(shapes: LayerShape[]): LayerShape[] {
    const where = `ConcatFusion '${this.name}'`;
    const k = this.modalities.length;
    const names = `[${this.modalities.join(', ')}]`;
    if (shapes.length !== k && shapes.length !== k + 1) {
      throw new ShapeError(
        `${where}: expected ${k} inputs ${names} and an optional presence ` +
          `mask, received ${shapes.length} with shapes ${formatShapes(shapes)}`,
      );
    }
    const values = shapes.slice(0, k);
    const first = values[0] as LayerShape;
    const mismatch = values.some(
      (s) =>
        s.length !== first.length ||
        s
          .slice(0, -1)
          .some((d, i) => d !== null && first[i] !== null && d !== first[i]),
    );
    if (first.length < 2 || mismatch) {
      throw new ShapeError(
        `${where}: expected inputs of one rank >= 2 that agree on every ` +
          `axis but the last, received shapes ${formatShapes(values)} for ` +
          names,
      );
    }
    const presence = shapes[k];
    if (presence) {
      checkPresenceShape(where, this.modalities, presence, first[0]);
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

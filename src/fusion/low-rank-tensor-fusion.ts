/**
 * Low-rank tensor fusion (Low-rank Multimodal Fusion, LMF).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {
  ACTIVATION_NAMES,
  type ActivationName,
  activate,
} from '../internal/activations';
import { assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError } from '../internal/errors';
import { INITIALIZER_NAMES, type InitializerName } from '../internal/init';
import {
  type Kwargs,
  type LayerShape,
  addSeededWeight,
  asShapeList,
  asTensorList,
} from '../internal/layer-utils';
import { Random, resolveSeed } from '../internal/random';
import { FusionLayer, type FusionLayerArgs } from './fusion-layer';
import {
  type AbsentMode,
  Placeholders,
  absentMode,
  checkBuiltDims,
  checkModalityShapes,
  checkPresenceShape,
  countInputs,
} from './presence';
import { dense } from './projections';

/** Options of {@link LowRankTensorFusion}. */
export interface LowRankTensorFusionArgs extends FusionLayerArgs {
  /** Rank r of the factorization (LMF found 4 to 16 enough). */
  rank: number;
  /** Output units. */
  units: number;
  /** Activation of the output. @defaultValue 'linear' */
  activation?: ActivationName;
  /** Initialiser of the factors. @defaultValue 'glorotUniform' */
  kernelInitializer?: InitializerName;
  /** What stands in for an absent modality. @defaultValue 'placeholder' */
  absent?: AbsentMode;
  /** Seed of the initial weights; omit for a random one. */
  seed?: number;
}

/**
 * Low-rank tensor fusion: the tensor-fusion form `W · ([x_1; 1] ⊗ … ⊗
 * [x_M; 1])` with its weight tensor factorized into r rank-one terms of
 * modality-specific factors, computed without ever forming the outer
 * product:
 * `h = act(Σ_{i=1..r} w_i (∘_m [x_m; 1] W_m^(i)) + b)`.
 *
 * Cost and weights grow linearly in the modality sizes and the number of
 * modalities (Σ (d_m + 1)·r·units), so it suits three or more modalities
 * and wide embeddings where {@link TensorFusion} is out of reach; like it,
 * the appended 1 keeps unimodal and lower-order terms.
 *
 * Weights: per modality `factor_kernel_<m>` `[d_m, units·r]` and
 * `factor_bias_<m>` `[units·r]` (the factor's row for the appended 1),
 * columns unit-major (`o·r + i`); `rank_weights` `[r, 1]`; `bias`
 * `[units]`; placeholders when built with a presence mask.
 *
 * Deviation: LMF draws the whole factor, appended-1 row included, at
 * random. Here that row starts at 1, so each factor starts near
 * `1 + x_m W_m` and the product of M factors keeps its unimodal terms at
 * initialisation instead of vanishing as a product of M small numbers.
 *
 * Inputs: one `[batch, d_m]` per modality in sorted order (or a record
 * through `applyRecord`), optionally a presence mask `[batch, M]`; an
 * absent modality is replaced by its learned placeholder (or zeros).
 * Output: `[batch, units]`.
 *
 * @see Liu et al. (2018), Efficient Low-rank Multimodal Fusion with
 * Modality-Specific Factors, ACL.
 */
export class LowRankTensorFusion extends FusionLayer {
  /** @internal */
  static className = 'modalfuse>LowRankTensorFusion';

  /** Rank of the factorization. */
  readonly rank: number;
  /** Output units. */
  readonly units: number;
  /** Activation of the output. */
  readonly activation: ActivationName;
  /** Initialiser of the factors. */
  readonly kernelInitializer: InitializerName;
  /** What replaces an absent modality. */
  readonly absent: AbsentMode;
  /** The seed the layer was built from. */
  readonly seed: number;

  private factors: { kernel: tfl.LayerVariable; bias: tfl.LayerVariable }[] =
    [];
  private rankWeights: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  private placeholders: Placeholders | null = null;
  private dims: number[] | null = null;

  /** @param args - See {@link LowRankTensorFusionArgs}. */
  constructor(args: LowRankTensorFusionArgs) {
    super(args, 'low_rank_tensor_fusion');
    const where = 'LowRankTensorFusion';
    if (this.modalities.length < 2) {
      throw new TypeError(
        `${where}: expected at least 2 modalities, received ` +
          `[${this.modalities.join(', ')}]`,
      );
    }
    assertInteger(where, 'rank', args.rank, 1);
    assertInteger(where, 'units', args.units, 1);
    this.rank = args.rank;
    this.units = args.units;
    this.activation = args.activation ?? 'linear';
    assertOneOf(where, 'activation', this.activation, ACTIVATION_NAMES);
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    assertOneOf(where, 'kernelInitializer', this.kernelInitializer, [
      ...INITIALIZER_NAMES,
    ]);
    this.absent = absentMode(where, args.absent);
    this.seed = resolveSeed(where, args.seed);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shapes = asShapeList(inputShape);
    const withPresence = this.checkShapes(shapes);
    const k = this.modalities.length;
    const dims = shapes.slice(0, k).map((s) => s[1] as number);
    this.dims = dims;
    const rng = new Random(this.seed);
    const columns = this.units * this.rank;
    this.factors = this.modalities.map((m, i) => ({
      kernel: addSeededWeight(
        this,
        `factor_kernel_${m}`,
        [dims[i]!, columns],
        this.kernelInitializer,
        rng,
        { fanIn: dims[i]! + 1, fanOut: this.units },
      ),
      bias: addSeededWeight(this, `factor_bias_${m}`, [columns], 'ones', rng),
    }));
    this.rankWeights = addSeededWeight(
      this,
      'rank_weights',
      [this.rank, 1],
      this.kernelInitializer,
      rng,
    );
    this.bias = addSeededWeight(this, 'bias', [this.units], 'zeros', rng);
    if (withPresence) {
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
    const shapes = asShapeList(inputShape);
    this.checkShapes(shapes);
    return [(shapes[0] as LayerShape)[0] ?? null, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = asTensorList(inputs);
      this.checkShapes(list.map((t) => t.shape));
      const k = this.modalities.length;
      let values = list.slice(0, k);
      const presence = list[k];
      if (presence) values = this.requirePlaceholders().fill(values, presence);
      const batch = values[0]!.shape[0] as number;

      // [x_m; 1] W_m for all r terms at once: [batch, units * r] each.
      let joint: tf.Tensor | null = null;
      for (let i = 0; i < k; i++) {
        const f = this.factors[i]!;
        const term = dense(
          values[i] as tf.Tensor2D,
          f.kernel.read() as tf.Tensor2D,
          f.bias.read(),
          'linear',
        );
        joint = joint ? tf.mul(joint, term) : term;
      }

      // Σ_i w_i over the rank axis: [batch * units, r] · [r, 1].
      const summed = tf.matMul(
        tf.reshape(joint!, [batch * this.units, this.rank]),
        this.rankWeights!.read() as tf.Tensor2D,
      );
      const h = tf.add(
        tf.reshape(summed, [batch, this.units]),
        this.bias!.read(),
      );
      return activate(h, this.activation);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      rank: this.rank,
      units: this.units,
      activation: this.activation,
      kernelInitializer: this.kernelInitializer,
      absent: this.absent,
      seed: this.seed,
    };
  }

  private requirePlaceholders(): Placeholders {
    if (!this.placeholders) {
      throw new ShapeError(
        `LowRankTensorFusion '${this.name}': received a presence mask, but ` +
          `the layer was built without one; pass the mask from the first call`,
      );
    }
    return this.placeholders;
  }

  /** @returns Whether a presence mask is among the inputs. */
  private checkShapes(shapes: LayerShape[]): boolean {
    const where = `LowRankTensorFusion '${this.name}'`;
    const k = this.modalities.length;
    const withPresence = countInputs(where, this.modalities, shapes);
    const values = shapes.slice(0, k);
    checkModalityShapes(where, this.modalities, values, 2);
    checkBuiltDims(where, this.modalities, values, this.dims);
    if (withPresence) {
      checkPresenceShape(where, this.modalities, shapes[k]!, values[0]![0]);
    }
    return withPresence;
  }
}
tf.serialization.registerClass(LowRankTensorFusion);

/**
 * Creates a {@link LowRankTensorFusion}.
 *
 * @example
 * ```ts
 * const fuse = lowRankTensorFusion({
 *   modalities: ['audio', 'text', 'video'],
 *   rank: 4,
 *   units: 16,
 * });
 * const h = fuse.applyRecord({
 *   audio: tf.randomNormal([2, 32]),
 *   text: tf.randomNormal([2, 128]),
 *   video: tf.randomNormal([2, 32]),
 * }) as tf.Tensor; // [2, 16]
 * ```
 * @param args - See {@link LowRankTensorFusionArgs}.
 * @returns The layer.
 * @throws TypeError for fewer than two modalities; RangeError for invalid
 *   sizes.
 */
export function lowRankTensorFusion(
  args: LowRankTensorFusionArgs,
): LowRankTensorFusion {
  return new LowRankTensorFusion(args);
}

/**
 * Low-rank bilinear fusion (multimodal low-rank bilinear pooling, MLB).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { ACTIVATION_NAMES, type ActivationName } from '../internal/activations';
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
import { Projections, dense } from './projections';

/** Options of {@link LowRankBilinearFusion}. */
export interface LowRankBilinearFusionArgs extends FusionLayerArgs {
  /** Size r of the joint space that every modality is projected to. */
  rank: number;
  /** Output units K. */
  units: number;
  /**
   * Activation σ of each modality's projection, before the product.
   * @defaultValue 'tanh' (as in Kim et al.)
   */
  activation?: ActivationName;
  /** Activation of the output projection. @defaultValue 'linear' */
  outputActivation?: ActivationName;
  /** Biases in the projections and the output. @defaultValue true */
  useBias?: boolean;
  /** Initialiser of the kernels. @defaultValue 'glorotUniform' */
  kernelInitializer?: InitializerName;
  /** What stands in for an absent modality. @defaultValue 'placeholder' */
  absent?: AbsentMode;
  /** Seed of the initial weights; omit for a random one. */
  seed?: number;
}

/**
 * Low-rank bilinear fusion: each modality is projected to a joint space of
 * size r, the projections are multiplied elementwise, and the product is
 * projected to the output:
 * `y = act(P ᵀ (σ(U_1ᵀ x_1 + c_1) ∘ … ∘ σ(U_Mᵀ x_M + c_M)) + b)`.
 *
 * For two modalities this is MLB, a bilinear form whose weight tensor is
 * constrained to rank r (`A_k = Σ_i P_ik u_i v_iᵀ` when σ is the identity):
 * d1·r + d2·r + r·K weights instead of d1·d2·K. For more modalities the
 * same Hadamard product gives a multilinear form of rank r. Use it instead
 * of {@link BilinearFusion} when embeddings are wide.
 *
 * Weights: `projection_kernel_<m>` `[d_m, r]` and `projection_bias_<m>`
 * `[r]` per modality, `kernel` `[r, K]` and `bias` `[K]`, and
 * placeholders when built with a presence mask.
 *
 * Inputs: one `[batch, d_m]` per modality in sorted order (or a record
 * through `applyRecord`), optionally a presence mask `[batch, M]`; an
 * absent modality is replaced by its learned placeholder (or zeros).
 * Output: `[batch, K]`.
 *
 * @see Kim et al. (2017), Hadamard Product for Low-rank Bilinear Pooling,
 * ICLR.
 */
export class LowRankBilinearFusion extends FusionLayer {
  /** @internal */
  static className = 'modalfuse>LowRankBilinearFusion';

  /** Size of the joint space. */
  readonly rank: number;
  /** Output units. */
  readonly units: number;
  /** Activation of the projections. */
  readonly activation: ActivationName;
  /** Activation of the output. */
  readonly outputActivation: ActivationName;
  /** Whether biases are used. */
  readonly useBias: boolean;
  /** Initialiser of the kernels. */
  readonly kernelInitializer: InitializerName;
  /** What replaces an absent modality. */
  readonly absent: AbsentMode;
  /** The seed the layer was built from. */
  readonly seed: number;

  private projections: Projections | null = null;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  private placeholders: Placeholders | null = null;
  private dims: number[] | null = null;

  /** @param args - See {@link LowRankBilinearFusionArgs}. */
  constructor(args: LowRankBilinearFusionArgs) {
    super(args, 'low_rank_bilinear_fusion');
    const where = 'LowRankBilinearFusion';
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
    this.activation = args.activation ?? 'tanh';
    this.outputActivation = args.outputActivation ?? 'linear';
    assertOneOf(where, 'activation', this.activation, ACTIVATION_NAMES);
    assertOneOf(
      where,
      'outputActivation',
      this.outputActivation,
      ACTIVATION_NAMES,
    );
    this.useBias = args.useBias ?? true;
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
    this.projections = new Projections(
      this,
      'projection',
      this.modalities,
      dims,
      dims.map(() => this.rank),
      this.kernelInitializer,
      rng,
      this.useBias,
    );
    this.kernel = addSeededWeight(
      this,
      'kernel',
      [this.rank, this.units],
      this.kernelInitializer,
      rng,
    );
    if (this.useBias) {
      this.bias = addSeededWeight(this, 'bias', [this.units], 'zeros', rng);
    }
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

      // [batch, r] per modality, multiplied into one [batch, r].
      const projected = this.projections!.apply(values, this.activation);
      let joint: tf.Tensor2D = projected[0] as tf.Tensor2D;
      for (const p of projected.slice(1)) joint = tf.mul(joint, p);
      return dense(
        joint,
        this.kernel!.read() as tf.Tensor2D,
        this.bias?.read() ?? null,
        this.outputActivation,
      );
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      rank: this.rank,
      units: this.units,
      activation: this.activation,
      outputActivation: this.outputActivation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      absent: this.absent,
      seed: this.seed,
    };
  }

  private requirePlaceholders(): Placeholders {
    if (!this.placeholders) {
      throw new ShapeError(
        `LowRankBilinearFusion '${this.name}': received a presence mask, ` +
          `but the layer was built without one; pass the mask from the ` +
          `first call`,
      );
    }
    return this.placeholders;
  }

  /** @returns Whether a presence mask is among the inputs. */
  private checkShapes(shapes: LayerShape[]): boolean {
    const where = `LowRankBilinearFusion '${this.name}'`;
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
tf.serialization.registerClass(LowRankBilinearFusion);

/**
 * Creates a {@link LowRankBilinearFusion}.
 *
 * @example
 * ```ts
 * const fuse = lowRankBilinearFusion({
 *   modalities: ['price', 'chart'],
 *   rank: 32,
 *   units: 16,
 * });
 * const y = fuse.applyRecord({
 *   price: tf.randomNormal([8, 64]),
 *   chart: tf.randomNormal([8, 256]),
 * }) as tf.Tensor; // [8, 16]
 * ```
 * @param args - See {@link LowRankBilinearFusionArgs}.
 * @returns The layer.
 * @throws TypeError for fewer than two modalities; RangeError for invalid
 *   sizes.
 */
export function lowRankBilinearFusion(
  args: LowRankBilinearFusionArgs,
): LowRankBilinearFusion {
  return new LowRankBilinearFusion(args);
}

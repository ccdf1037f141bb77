/**
 * Tensor fusion (Tensor Fusion Network).
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
import { Projections, dense, projectionSize } from './projections';

/** Options of {@link TensorFusion}. */
export interface TensorFusionArgs extends FusionLayerArgs {
  /**
   * Output units of a dense layer on the flattened tensor, or null to
   * return the flattened tensor itself. @defaultValue null
   */
  units?: number | null;
  /** Activation of that dense layer. @defaultValue 'linear' */
  activation?: ActivationName;
  /**
   * Project each modality linearly to this many features first, which
   * keeps `Π (d_m + 1)` manageable for wide encoders. @defaultValue null
   */
  projection?: number | null;
  /** Biases in the projections and the dense layer. @defaultValue true */
  useBias?: boolean;
  /** Initialiser of the kernels. @defaultValue 'glorotUniform' */
  kernelInitializer?: InitializerName;
  /** What stands in for an absent modality. @defaultValue 'placeholder' */
  absent?: AbsentMode;
  /** Seed of the initial weights; omit for a random one. */
  seed?: number;
}

/**
 * Tensor fusion: the outer product of every modality's vector with a
 * constant 1 appended, `z = [x_1; 1] ⊗ [x_2; 1] ⊗ … ⊗ [x_M; 1]`,
 * flattened row-major to `Π_m (d_m + 1)` features, optionally followed by
 * `act(z W + b)`.
 *
 * The appended 1 keeps every lower-order term in `z`: the unimodal
 * features `x_m` themselves, every bimodal product `x_i x_j`, up to the
 * M-modal products, and the constant. The size grows as the product of the
 * modality sizes, so keep embeddings small (TFN used 32 to 128 per
 * modality) or set `projection`; {@link LowRankTensorFusion} computes the
 * same kind of form with a factorized weight, linear in the sizes.
 *
 * Weights: optional `projection_kernel_<m>`/`projection_bias_<m>`, with
 * `units` a `kernel` `[Π (d_m + 1), units]` and `bias`, and placeholders
 * when built with a presence mask.
 *
 * Inputs: one `[batch, d_m]` per modality in sorted order (or a record
 * through `applyRecord`), optionally a presence mask `[batch, M]`; an
 * absent modality is replaced by its learned placeholder (or zeros) before
 * the 1 is appended. Output: `[batch, Π (d_m + 1)]`, or `[batch, units]`.
 *
 * @see Zadeh et al. (2017), Tensor Fusion Network for Multimodal Sentiment
 * Analysis, EMNLP.
 */
export class TensorFusion extends FusionLayer {
  /** @internal */
  static className = 'modalfuse>TensorFusion';

  /** Units of the dense layer, or null. */
  readonly units: number | null;
  /** Activation of the dense layer. */
  readonly activation: ActivationName;
  /** Size of the per-modality projection, or null. */
  readonly projection: number | null;
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

  /** @param args - See {@link TensorFusionArgs}. */
  constructor(args: TensorFusionArgs) {
    super(args, 'tensor_fusion');
    const where = 'TensorFusion';
    if (this.modalities.length < 2) {
      throw new TypeError(
        `${where}: expected at least 2 modalities, received ` +
          `[${this.modalities.join(', ')}]`,
      );
    }
    this.units = args.units ?? null;
    if (this.units !== null) assertInteger(where, 'units', this.units, 1);
    this.activation = args.activation ?? 'linear';
    assertOneOf(where, 'activation', this.activation, ACTIVATION_NAMES);
    this.projection = projectionSize(where, args.projection);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    assertOneOf(where, 'kernelInitializer', this.kernelInitializer, [
      ...INITIALIZER_NAMES,
    ]);
    this.absent = absentMode(where, args.absent);
    this.seed = resolveSeed(where, args.seed);
  }

  /**
   * Size of the flattened tensor, `Π (d_m + 1)` over the (projected) sizes.
   *
   * @param dims - Feature size of each modality's input, sorted order.
   * @returns The number of output features without `units`.
   */
  tensorSize(dims: readonly number[]): number {
    const sizes =
      this.projection === null ? dims : dims.map(() => this.projection!);
    return sizes.reduce((p, d) => p * (d + 1), 1);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shapes = asShapeList(inputShape);
    const withPresence = this.checkShapes(shapes);
    const k = this.modalities.length;
    const dims = shapes.slice(0, k).map((s) => s[1] as number);
    this.dims = dims;
    const rng = new Random(this.seed);
    if (this.projection !== null) {
      this.projections = new Projections(
        this,
        'projection',
        this.modalities,
        dims,
        dims.map(() => this.projection!),
        this.kernelInitializer,
        rng,
        this.useBias,
      );
    }
    if (this.units !== null) {
      this.kernel = addSeededWeight(
        this,
        'kernel',
        [this.tensorSize(dims), this.units],
        this.kernelInitializer,
        rng,
      );
      if (this.useBias) {
        this.bias = addSeededWeight(this, 'bias', [this.units], 'zeros', rng);
      }
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
    const batch = (shapes[0] as LayerShape)[0] ?? null;
    if (this.units !== null) return [batch, this.units];
    const dims = shapes.slice(0, this.modalities.length).map((s) => s[1]);
    const known = dims.every((d) => d != null) || this.projection !== null;
    return [batch, known ? this.tensorSize(dims as number[]) : null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = asTensorList(inputs);
      this.checkShapes(list.map((t) => t.shape));
      const k = this.modalities.length;
      let values = list.slice(0, k);
      const presence = list[k];
      if (presence) values = this.requirePlaceholders().fill(values, presence);
      if (this.projections) values = this.projections.apply(values);
      const z = outerWithOnes(values as tf.Tensor2D[]);
      if (!this.kernel) return z;
      return dense(
        z,
        this.kernel.read() as tf.Tensor2D,
        this.bias?.read() ?? null,
        this.activation,
      );
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      projection: this.projection,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      absent: this.absent,
      seed: this.seed,
    };
  }

  private requirePlaceholders(): Placeholders {
    if (!this.placeholders) {
      throw new ShapeError(
        `TensorFusion '${this.name}': received a presence mask, but the ` +
          `layer was built without one; pass the mask from the first call`,
      );
    }
    return this.placeholders;
  }

  /** @returns Whether a presence mask is among the inputs. */
  private checkShapes(shapes: LayerShape[]): boolean {
    const where = `TensorFusion '${this.name}'`;
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
tf.serialization.registerClass(TensorFusion);

/**
 * `[x_1; 1] ⊗ … ⊗ [x_M; 1]` flattened row-major: `[batch, Π (d_m + 1)]`.
 *
 * @param values - One `[batch, d_m]` per modality.
 * @returns The flattened outer product.
 */
export function outerWithOnes(values: readonly tf.Tensor2D[]): tf.Tensor2D {
  const padded = values.map((x) =>
    tf.pad(
      x,
      [
        [0, 0],
        [0, 1],
      ],
      1,
    ),
  );
  let z = padded[0] as tf.Tensor2D;
  const batch = z.shape[0];
  for (const x of padded.slice(1)) {
    const [, a] = z.shape;
    const b = x.shape[1];
    z = tf.reshape(
      tf.mul(tf.reshape(z, [batch, a, 1]), tf.reshape(x, [batch, 1, b])),
      [batch, a * b],
    );
  }
  return z;
}

/**
 * Creates a {@link TensorFusion}.
 *
 * @example
 * ```ts
 * const fuse = tensorFusion({ modalities: ['audio', 'text', 'video'] });
 * const z = fuse.applyRecord({
 *   audio: tf.randomNormal([2, 4]),
 *   text: tf.randomNormal([2, 8]),
 *   video: tf.randomNormal([2, 3]),
 * }) as tf.Tensor; // [2, 5 * 9 * 4 = 180]
 * ```
 * @param args - See {@link TensorFusionArgs}.
 * @returns The layer.
 * @throws TypeError for fewer than two modalities; RangeError for invalid
 *   sizes.
 */
export function tensorFusion(args: TensorFusionArgs): TensorFusion {
  return new TensorFusion(args);
}

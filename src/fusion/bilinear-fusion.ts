/**
 * Bilinear fusion of two modalities.
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
import { Projections, dense, projectionSize } from './projections';

/** Options of {@link BilinearFusion}. */
export interface BilinearFusionArgs extends FusionLayerArgs {
  /** Output units K. */
  units: number;
  /** Activation applied to `y`. @defaultValue 'linear' */
  activation?: ActivationName;
  /** Add the bias `b`. @defaultValue true */
  useBias?: boolean;
  /**
   * Project each modality linearly to this many features before the
   * bilinear form, which keeps `A` small for wide encoders (the form then
   * has a factored, low-rank `A`). @defaultValue null (no projection)
   */
  projection?: number | null;
  /**
   * Initialiser of `A` (Glorot over fan-in d1·d2 and fan-out K, so that
   * `y` starts at unit scale for unit inputs) and of the projections.
   * @defaultValue 'glorotUniform'
   */
  kernelInitializer?: InitializerName;
  /** What stands in for an absent modality. @defaultValue 'placeholder' */
  absent?: AbsentMode;
  /** Seed of the initial weights; omit for a random one. */
  seed?: number;
}

/**
 * Bilinear fusion of two vectors, as `torch.nn.Bilinear`:
 * `y_k = x1ᵀ A_k x2 + b_k = Σ_i Σ_j x1_i A[i, j, k] x2_j + b_k`, with
 * `x1` the first and `x2` the second modality in sorted order.
 *
 * Every pair of features interacts through its own weight per output,
 * so `A` has d1·d2·K entries: use it for small embeddings (or with
 * `projection`), and {@link LowRankBilinearFusion} for wide ones. It is
 * computed with two products and reshapes (tfjs has no Einsum on wasm; see
 * {@link bilinear}).
 *
 * Weights: `kernel` `[d1, d2, K]` (tfjs layout; torch's weight transposed
 * `[1, 2, 0]`), `bias` `[K]`, optional projections, and placeholders when
 * built with a presence mask.
 *
 * Inputs: `x1` `[batch, d1]`, `x2` `[batch, d2]` (sorted modality order,
 * or a record through `applyRecord`), optionally a presence mask
 * `[batch, 2]`; an absent modality is replaced by its learned placeholder
 * (or zeros). Output: `[batch, K]`.
 *
 * @see Tenenbaum and Freeman (2000), Separating style and content with
 * bilinear models; Lin, RoyChowdhury and Maji (2015), Bilinear CNN models
 * for fine-grained visual recognition.
 */
export class BilinearFusion extends FusionLayer {
  /** @internal */
  static className = 'modalfuse>BilinearFusion';

  /** Output units K. */
  readonly units: number;
  /** Activation applied to the output. */
  readonly activation: ActivationName;
  /** Whether the bias is used. */
  readonly useBias: boolean;
  /** Size of the per-modality projection, or null. */
  readonly projection: number | null;
  /** Initialiser of the kernels. */
  readonly kernelInitializer: InitializerName;
  /** What replaces an absent modality. */
  readonly absent: AbsentMode;
  /** The seed the layer was built from. */
  readonly seed: number;

  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  private projections: Projections | null = null;
  private placeholders: Placeholders | null = null;
  private dims: number[] | null = null;

  /** @param args - See {@link BilinearFusionArgs}. */
  constructor(args: BilinearFusionArgs) {
    super(args, 'bilinear_fusion');
    const where = 'BilinearFusion';
    if (this.modalities.length !== 2) {
      throw new TypeError(
        `${where}: expected exactly 2 modalities, received ` +
          `${this.modalities.length} [${this.modalities.join(', ')}]; use ` +
          `LowRankTensorFusion or TensorFusion for more`,
      );
    }
    assertInteger(where, 'units', args.units, 1);
    this.units = args.units;
    this.activation = args.activation ?? 'linear';
    assertOneOf(where, 'activation', this.activation, ACTIVATION_NAMES);
    this.useBias = args.useBias ?? true;
    this.projection = projectionSize(where, args.projection);
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
    const rng = new Random(this.seed);
    const dims = shapes.slice(0, 2).map((s) => s[1] as number);
    this.dims = dims;
    if (this.projection !== null) {
      const p = this.projection;
      this.projections = new Projections(
        this,
        'projection',
        this.modalities,
        dims,
        [p, p],
        this.kernelInitializer,
        rng,
      );
    }
    const [d1, d2] =
      this.projection === null ? dims : [this.projection, this.projection];
    this.kernel = addSeededWeight(
      this,
      'kernel',
      [d1!, d2!, this.units],
      this.kernelInitializer,
      rng,
      { fanIn: d1! * d2!, fanOut: this.units },
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
      let values = list.slice(0, 2);
      if (list[2]) values = this.requirePlaceholders().fill(values, list[2]);
      if (this.projections) values = this.projections.apply(values);
      return bilinear(
        values[0] as tf.Tensor2D,
        values[1] as tf.Tensor2D,
        this.kernel!.read(),
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
      useBias: this.useBias,
      projection: this.projection,
      kernelInitializer: this.kernelInitializer,
      absent: this.absent,
      seed: this.seed,
    };
  }

  private requirePlaceholders(): Placeholders {
    if (!this.placeholders) {
      throw new ShapeError(
        `BilinearFusion '${this.name}': received a presence mask, but the ` +
          `layer was built without one; pass the mask from the first call`,
      );
    }
    return this.placeholders;
  }

  /** @returns Whether a presence mask is among the inputs. */
  private checkShapes(shapes: LayerShape[]): boolean {
    const where = `BilinearFusion '${this.name}'`;
    const withPresence = countInputs(where, this.modalities, shapes);
    const values = shapes.slice(0, 2);
    checkModalityShapes(where, this.modalities, values, 2);
    checkBuiltDims(where, this.modalities, values, this.dims);
    if (withPresence) {
      checkPresenceShape(where, this.modalities, shapes[2]!, values[0]![0]);
    }
    return withPresence;
  }
}
tf.serialization.registerClass(BilinearFusion);

/**
 * The bilinear form `act(Σ_ij x1_i A[i, j, k] x2_j + b_k)` from tfjs ops.
 *
 * Two equivalent orders, chosen by the size of the intermediate: when
 * `d1 <= K`, the outer product `x1 x2ᵀ`, flattened to `[batch, d1·d2]`,
 * meets `A` reshaped to `[d1·d2, K]` in one fused product with the bias
 * and activation; otherwise `x1` meets `A` reshaped to `[d1, d2·K]` first
 * and a batched product with `x2` contracts `d2`. Either way a handful of
 * ops, no Einsum, with gradients from tfjs's own kernels.
 *
 * @param x1 - `[batch, d1]`.
 * @param x2 - `[batch, d2]`.
 * @param kernel - `[d1, d2, K]`.
 * @param bias - `[K]` or null.
 * @param activation - Output activation. @defaultValue 'linear'
 * @returns `[batch, K]`.
 */
export function bilinear(
  x1: tf.Tensor2D,
  x2: tf.Tensor2D,
  kernel: tf.Tensor,
  bias: tf.Tensor | null,
  activation: ActivationName = 'linear',
): tf.Tensor2D {
  const [batch, d1] = x1.shape;
  const d2 = x2.shape[1];
  const k = kernel.shape[2] as number;
  if (d1 <= k) {
    const outer = tf.mul(
      tf.reshape(x1, [batch, d1, 1]),
      tf.reshape(x2, [batch, 1, d2]),
    ); // [batch, d1, d2]
    return dense(
      tf.reshape(outer, [batch, d1 * d2]),
      tf.reshape(kernel, [d1 * d2, k]),
      bias,
      activation,
    );
  }
  const left = tf.matMul(x1, tf.reshape(kernel, [d1, d2 * k])); // [batch, d2·K]
  const y = tf.reshape(
    tf.matMul(tf.reshape(x2, [batch, 1, d2]), tf.reshape(left, [batch, d2, k])),
    [batch, k],
  );
  return activate(bias ? tf.add(y, bias) : y, activation) as tf.Tensor2D;
}

/**
 * Creates a {@link BilinearFusion}.
 *
 * @example
 * ```ts
 * const fuse = bilinearFusion({ modalities: ['text', 'image'], units: 8 });
 * const y = fuse.applyRecord({
 *   text: tf.randomNormal([4, 6]),
 *   image: tf.randomNormal([4, 3]),
 * }) as tf.Tensor; // [4, 8]; x1 = image, x2 = text (sorted order)
 * ```
 * @param args - See {@link BilinearFusionArgs}.
 * @returns The layer.
 * @throws TypeError unless there are exactly two modalities; RangeError
 *   for invalid sizes.
 */
export function bilinearFusion(args: BilinearFusionArgs): BilinearFusion {
  return new BilinearFusion(args);
}

/**
 * Multilayer perceptron encoder for tabular vectors.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {
  ACTIVATION_NAMES,
  type ActivationName,
  activate,
  fusedActivation,
} from '../internal/activations';
import { assertInRange, assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError, formatShape, formatShapes } from '../internal/errors';
import { INITIALIZER_NAMES, type InitializerName } from '../internal/init';
import {
  type Kwargs,
  type LayerShape,
  addSeededWeight,
  asShapeList,
  asTensorList,
  baseLayerArgs,
  isTraining,
} from '../internal/layer-utils';
import { Random, resolveSeed } from '../internal/random';

/** Options of {@link MlpEncoder}. */
export interface MlpEncoderArgs {
  /** Units of each dense layer, first layer first. */
  units: number[];
  /** Activation of every layer. @defaultValue 'relu' */
  activation?: ActivationName;
  /**
   * Apply the activation to the last layer too; turn off for a linear
   * output (a head). @defaultValue true
   */
  activateLast?: boolean;
  /** Dropout rate after every hidden layer while training. @defaultValue 0 */
  dropout?: number;
  /** Initialiser of the kernels. @defaultValue 'glorotUniform' */
  kernelInitializer?: InitializerName;
  /** Seed of the initial weights and dropout masks; omit for a random one. */
  seed?: number;
  /** Layer name; must be unique within a model. */
  name?: string;
  /** Whether the weights are updated by training. @defaultValue true */
  trainable?: boolean;
}

/**
 * A stack of dense layers `x W + b → activation` as one layer, with dropout
 * between layers while training.
 *
 * Input: `[batch, features]`. Output: `[batch, units[last]]`.
 *
 * @see Rumelhart, Hinton and Williams (1986), Learning representations by
 * back-propagating errors.
 */
export class MlpEncoder extends tfl.layers.Layer {
  /** @internal */
  static className = 'modalfuse>MlpEncoder';

  /** Units of each layer. */
  readonly units: number[];
  /** Activation of every layer. */
  readonly activation: ActivationName;
  /** Whether the last layer is activated. */
  readonly activateLast: boolean;
  /** Dropout rate between layers. */
  readonly dropout: number;
  /** Initialiser of the kernels. */
  readonly kernelInitializer: InitializerName;
  /** The seed the layer was built from. */
  readonly seed: number;

  private dense: { kernel: tfl.LayerVariable; bias: tfl.LayerVariable }[] = [];
  private readonly dropoutRng: Random;

  /** @param args - See {@link MlpEncoderArgs}. */
  constructor(args: MlpEncoderArgs) {
    super(baseLayerArgs(args, 'mlp_encoder'));
    const where = 'MlpEncoder';
    if (!Array.isArray(args.units) || args.units.length === 0) {
      throw new RangeError(
        `${where}: expected units to be a non-empty array of positive ` +
          `integers, received ${JSON.stringify(args.units)}`,
      );
    }
    args.units.forEach((u, i) => assertInteger(where, `units[${i}]`, u, 1));
    this.units = [...args.units];
    this.activation = args.activation ?? 'relu';
    assertOneOf(where, 'activation', this.activation, ACTIVATION_NAMES);
    this.activateLast = args.activateLast ?? true;
    this.dropout = args.dropout ?? 0;
    assertInRange(where, 'dropout', this.dropout, 0, 1, { openHigh: true });
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    assertOneOf(where, 'kernelInitializer', this.kernelInitializer, [
      ...INITIALIZER_NAMES,
    ]);
    this.seed = resolveSeed(where, args.seed);
    this.dropoutRng = new Random(this.seed).fork();
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = this.checkShape(asShapeList(inputShape));
    const rng = new Random(this.seed);
    let inDim = shape[1] as number;
    this.dense = this.units.map((u, i) => {
      const kernel = addSeededWeight(
        this,
        `kernel_${i}`,
        [inDim, u],
        this.kernelInitializer,
        rng,
      );
      const bias = addSeededWeight(this, `bias_${i}`, [u], 'zeros', rng);
      inDim = u;
      return { kernel, bias };
    });
    this.built = true;
  }

  override computeOutputShape(
    inputShape: LayerShape | LayerShape[],
  ): LayerShape {
    const shape = this.checkShape(asShapeList(inputShape));
    return [shape[0] ?? null, this.units[this.units.length - 1] as number];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = asTensorList(inputs);
      this.checkShape(list.map((t) => t.shape));
      const training = isTraining(kwargs) && this.dropout > 0;
      let x = list[0] as tf.Tensor;
      this.dense.forEach((layer, i) => {
        const last = i === this.dense.length - 1;
        const b = layer.kernel.read() as tf.Tensor2D;
        const bias = layer.bias.read();
        const activation =
          !last || this.activateLast ? this.activation : 'linear';
        const fused = fusedActivation(activation);
        // One kernel for product, bias and activation where tfjs can fuse.
        x = fused
          ? tf.fused.matMul({ a: x as tf.Tensor2D, b, bias, activation: fused })
          : activate(tf.add(tf.matMul(x as tf.Tensor2D, b), bias), activation);
        if (!last && training) {
          x = tf.dropout(x, this.dropout, undefined, this.dropoutRng.seed());
        }
      });
      return x;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: [...this.units],
      activation: this.activation,
      activateLast: this.activateLast,
      dropout: this.dropout,
      kernelInitializer: this.kernelInitializer,
      seed: this.seed,
    };
  }

  private checkShape(shapes: readonly (readonly (number | null)[])[]) {
    const where = `MlpEncoder '${this.name}'`;
    const shape = shapes[0];
    if (shapes.length !== 1 || !shape || shape.length !== 2) {
      throw new ShapeError(
        `${where}: expected one input [batch, features], received shapes ` +
          formatShapes(shapes.map((s) => [...s])),
      );
    }
    const built = this.dense[0]?.kernel.shape[0];
    if (built !== undefined && shape[1] !== built) {
      throw new ShapeError(
        `${where}: expected ${built} input features, received shape ` +
          formatShape([...shape]),
      );
    }
    return shape;
  }
}
tf.serialization.registerClass(MlpEncoder);

/**
 * Creates a {@link MlpEncoder}.
 *
 * @example
 * ```ts
 * const table = tfl.input({ shape: [12] });
 * const h = mlpEncoder({ units: [64, 32], dropout: 0.1 }).apply(table);
 * // h: SymbolicTensor [null, 32]
 * ```
 * @param args - See {@link MlpEncoderArgs}.
 * @returns The layer.
 */
export function mlpEncoder(args: MlpEncoderArgs): MlpEncoder {
  return new MlpEncoder(args);
}

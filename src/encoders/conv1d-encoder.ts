/**
 * 1D convolutional series encoder.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {
  ACTIVATION_NAMES,
  type ActivationName,
  activate,
  fusedActivation,
} from '../internal/activations';
import { assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError, formatShape, formatShapes } from '../internal/errors';
import { INITIALIZER_NAMES, type InitializerName } from '../internal/init';
import {
  type Kwargs,
  type LayerShape,
  addSeededWeight,
  asShapeList,
  asTensorList,
  baseLayerArgs,
} from '../internal/layer-utils';
import { Random, resolveSeed } from '../internal/random';
import { installKernels } from '../kernels/register';
import type { ConvReadout } from './conv2d-encoder';

/** Options of {@link Conv1dEncoder}. */
export interface Conv1dEncoderArgs {
  /** Filters of each conv block, first block first. */
  filters: number[];
  /** Kernel length in time steps. @defaultValue 3 */
  kernelSize?: number;
  /**
   * `'causal'` pads on the left only, so step t sees steps <= t; `'same'`
   * pads both sides; `'valid'` does not pad. @defaultValue 'causal'
   */
  padding?: 'causal' | 'same' | 'valid';
  /** Dilation of every convolution. @defaultValue 1 */
  dilation?: number;
  /** Activation after each convolution. @defaultValue 'relu' */
  activation?: ActivationName;
  /** Max-pooling window (and stride) over time; 1 disables. @defaultValue 1 */
  poolSize?: number;
  /**
   * How the last feature map becomes a vector.
   * @defaultValue 'globalAverage'
   */
  readout?: ConvReadout;
  /** Initialiser of the conv kernels. @defaultValue 'glorotUniform' */
  kernelInitializer?: InitializerName;
  /** Seed of the initial weights; omit for a random one. */
  seed?: number;
  /** Layer name; must be unique within a model. */
  name?: string;
  /** Whether the weights are updated by training. @defaultValue true */
  trainable?: boolean;
}

/**
 * A stack of 1D conv blocks over time, each `conv1d → bias → activation →
 * max-pool`, then a flatten or a global pooling over time.
 *
 * Input: `[batch, time, features]`. Output: `[batch, filters]` with a global
 * pooling, or `[batch, time' * filters]` with `readout: 'flatten'`.
 *
 * @see Bai, Kolter and Koltun (2018), An empirical evaluation of generic
 * convolutional and recurrent networks for sequence modeling.
 */
export class Conv1dEncoder extends tfl.layers.Layer {
  /** @internal */
  static className = 'modalfuse>Conv1dEncoder';

  /** Filters of each block. */
  readonly filters: number[];
  /** Kernel length. */
  readonly kernelSize: number;
  /** Padding mode. */
  readonly padding: 'causal' | 'same' | 'valid';
  /** Dilation of every convolution. */
  readonly dilation: number;
  /** Activation after each convolution. */
  readonly activation: ActivationName;
  /** Pooling window over time. */
  readonly poolSize: number;
  /** How the last feature map becomes a vector. */
  readonly readout: ConvReadout;
  /** Initialiser of the conv kernels. */
  readonly kernelInitializer: InitializerName;
  /** The seed the layer was built from. */
  readonly seed: number;

  private blocks: { kernel: tfl.LayerVariable; bias: tfl.LayerVariable }[] = [];

  /** @param args - See {@link Conv1dEncoderArgs}. */
  constructor(args: Conv1dEncoderArgs) {
    super(baseLayerArgs(args, 'conv1d_encoder'));
    const where = 'Conv1dEncoder';
    if (!Array.isArray(args.filters) || args.filters.length === 0) {
      throw new RangeError(
        `${where}: expected filters to be a non-empty array of positive ` +
          `integers, received ${JSON.stringify(args.filters)}`,
      );
    }
    args.filters.forEach((f, i) => assertInteger(where, `filters[${i}]`, f, 1));
    this.filters = [...args.filters];
    this.kernelSize = args.kernelSize ?? 3;
    assertInteger(where, 'kernelSize', this.kernelSize, 1);
    this.padding = args.padding ?? 'causal';
    assertOneOf(where, 'padding', this.padding, ['causal', 'same', 'valid']);
    this.dilation = args.dilation ?? 1;
    assertInteger(where, 'dilation', this.dilation, 1);
    this.activation = args.activation ?? 'relu';
    assertOneOf(where, 'activation', this.activation, ACTIVATION_NAMES);
    this.poolSize = args.poolSize ?? 1;
    assertInteger(where, 'poolSize', this.poolSize, 1);
    this.readout = args.readout ?? 'globalAverage';
    assertOneOf(where, 'readout', this.readout, [
      'flatten',
      'globalAverage',
      'globalMax',
    ]);
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    assertOneOf(where, 'kernelInitializer', this.kernelInitializer, [
      ...INITIALIZER_NAMES,
    ]);
    this.seed = resolveSeed(where, args.seed);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = this.checkShape(asShapeList(inputShape));
    const rng = new Random(this.seed);
    const k = this.kernelSize;
    let channels = shape[2] as number;
    this.blocks = this.filters.map((f, i) => {
      const kernel = addSeededWeight(
        this,
        `kernel_${i}`,
        [k, channels, f],
        this.kernelInitializer,
        rng,
        { fanIn: k * channels, fanOut: k * f },
      );
      const bias = addSeededWeight(this, `bias_${i}`, [f], 'zeros', rng);
      channels = f;
      return { kernel, bias };
    });
    this.built = true;
  }

  override computeOutputShape(
    inputShape: LayerShape | LayerShape[],
  ): LayerShape {
    const shape = this.checkShape(asShapeList(inputShape));
    const f = this.filters[this.filters.length - 1] as number;
    if (this.readout !== 'flatten') return [shape[0] ?? null, f];
    const t = this.outputLength(shape[1] ?? null);
    return [shape[0] ?? null, t === null ? null : t * f];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    installKernels();
    return tf.tidy(() => {
      const list = asTensorList(inputs);
      this.checkShape(list.map((t) => t.shape));
      let x = list[0] as tf.Tensor3D;
      if (x.shape[0] === 0) {
        // Some backends' pooling and convolution kernels divide by the
        // batch size; an empty batch has an empty output of known shape.
        const [, ...rest] = this.computeOutputShape(x.shape);
        return tf.zeros([0, ...(rest as number[])]);
      }
      const reach = (this.kernelSize - 1) * this.dilation;
      for (const block of this.blocks) {
        if (this.padding === 'causal' && reach > 0) {
          x = tf.pad(x, [
            [0, 0],
            [reach, 0],
            [0, 0],
          ]);
        }
        x = this.convolve(
          x,
          block.kernel.read() as tf.Tensor3D,
          block.bias.read(),
        );
        if (this.poolSize > 1) x = maxPoolTime(x, this.poolSize);
      }
      if (this.readout === 'globalAverage') return tf.mean(x, 1);
      if (this.readout === 'globalMax') return tf.max(x, 1);
      return tf.reshape(x, [x.shape[0], -1]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: [...this.filters],
      kernelSize: this.kernelSize,
      padding: this.padding,
      dilation: this.dilation,
      activation: this.activation,
      poolSize: this.poolSize,
      readout: this.readout,
      kernelInitializer: this.kernelInitializer,
      seed: this.seed,
    };
  }

  /**
   * conv1d, bias and activation, as one fused conv2d over a height-1 image
   * where tfjs can fuse the activation ([batch, time, f] as [batch, 1,
   * time, f]; this is also how tfjs computes conv1d).
   */
  private convolve(
    x: tf.Tensor3D,
    kernel: tf.Tensor3D,
    bias: tf.Tensor,
  ): tf.Tensor3D {
    const pad = this.padding === 'same' ? 'same' : 'valid';
    const fused = fusedActivation(this.activation);
    if (!fused) {
      const conv = tf.conv1d(x, kernel, 1, pad, 'NWC', this.dilation);
      return activate(tf.add(conv, bias), this.activation) as tf.Tensor3D;
    }
    const image = tf.expandDims(x, 1) as tf.Tensor4D;
    const filter = tf.expandDims(kernel, 0) as tf.Tensor4D;
    const y = tf.fused.conv2d({
      x: image,
      filter,
      strides: 1,
      pad,
      dilations: [1, this.dilation],
      bias,
      activation: fused,
    });
    return tf.squeeze(y, [1]) as tf.Tensor3D;
  }

  /** Number of time steps after every block, or null when unknown. */
  private outputLength(time: number | null): number | null {
    if (time === null) return null;
    const reach = (this.kernelSize - 1) * this.dilation;
    let t = time;
    for (let i = 0; i < this.filters.length; i++) {
      if (this.padding === 'valid') t -= reach;
      t = Math.floor(t / this.poolSize);
    }
    return t;
  }

  private checkShape(shapes: readonly (readonly (number | null)[])[]) {
    const where = `Conv1dEncoder '${this.name}'`;
    const shape = shapes[0];
    if (shapes.length !== 1 || !shape || shape.length !== 3) {
      throw new ShapeError(
        `${where}: expected one input [batch, time, features], received ` +
          `shapes ${formatShapes(shapes.map((s) => [...s]))}`,
      );
    }
    const t = this.outputLength(shape[1] ?? null);
    if (t !== null && t < 1) {
      throw new ShapeError(
        `${where}: an input of shape ${formatShape([...shape])} is too ` +
          `short for ${this.filters.length} blocks of kernel ` +
          `${this.kernelSize}, dilation ${this.dilation} and pool ` +
          `${this.poolSize}`,
      );
    }
    const built = this.blocks[0]?.kernel.shape[1];
    if (built !== undefined && shape[2] !== built) {
      throw new ShapeError(
        `${where}: expected ${built} input features, received shape ` +
          formatShape([...shape]),
      );
    }
    return shape;
  }
}
tf.serialization.registerClass(Conv1dEncoder);

/**
 * Creates a {@link Conv1dEncoder}.
 *
 * @example
 * ```ts
 * const series = tfl.input({ shape: [20, 13] });
 * const h = conv1dEncoder({ filters: [32, 32], poolSize: 2 }).apply(series);
 * // h: SymbolicTensor [null, 32]
 * ```
 * @param args - See {@link Conv1dEncoderArgs}.
 * @returns The layer.
 */
export function conv1dEncoder(args: Conv1dEncoderArgs): Conv1dEncoder {
  return new Conv1dEncoder(args);
}

/** Non-overlapping max pooling over the time axis of [batch, time, f]. */
function maxPoolTime(x: tf.Tensor3D, size: number): tf.Tensor3D {
  const [batch, time, features] = x.shape;
  const as4d = tf.reshape(x, [batch, time, 1, features]) as tf.Tensor4D;
  const pooled = tf.maxPool(as4d, [size, 1], [size, 1], 'valid');
  return tf.reshape(pooled, [batch, pooled.shape[1], features]);
}

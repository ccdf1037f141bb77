/**
 * 2D convolutional image encoder.
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

/** How an encoder turns its last feature map into one vector. */
export type ConvReadout = 'flatten' | 'globalAverage' | 'globalMax';

const OUTPUTS: readonly ConvReadout[] = [
  'flatten',
  'globalAverage',
  'globalMax',
];

/** Options of {@link Conv2dEncoder}. */
export interface Conv2dEncoderArgs {
  /** Filters of each conv block, first block first. */
  filters: number[];
  /** Kernel height and width. @defaultValue 3 */
  kernelSize?: number | [number, number];
  /** Convolution padding. @defaultValue 'same' */
  padding?: 'same' | 'valid';
  /** Activation after each convolution. @defaultValue 'relu' */
  activation?: ActivationName;
  /**
   * Pooling window (and stride) after each block; 1 disables.
   * @defaultValue 2
   */
  poolSize?: number | [number, number];
  /** Max or average pooling. @defaultValue 'max' */
  poolType?: 'max' | 'avg';
  /** How the last feature map becomes a vector. @defaultValue 'flatten' */
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
 * A stack of conv blocks, each conv2d, bias, activation and pool, then a
 * flatten or a global pooling, as one tfjs-layers layer.
 *
 * Input: `[batch, height, width, channels]` (channels-last). Output:
 * `[batch, h' * w' * filters]` with `readout: 'flatten'` (row-major over
 * h', w', filters, as tfjs-layers' Flatten), or `[batch, filters]` with a
 * global pooling.
 *
 * Training on the cpu and wasm backends uses modalfuse's gradient kernels
 * (see `installKernels`), installed for the active backend on first call.
 *
 * @see LeCun et al. (1998), Gradient-based learning applied to document
 * recognition.
 */
export class Conv2dEncoder extends tfl.layers.Layer {
  /** @internal */
  static className = 'modalfuse>Conv2dEncoder';

  /** Filters of each block. */
  readonly filters: number[];
  /** Kernel height and width. */
  readonly kernelSize: [number, number];
  /** Convolution padding. */
  readonly padding: 'same' | 'valid';
  /** Activation after each convolution. */
  readonly activation: ActivationName;
  /** Pooling window and stride. */
  readonly poolSize: [number, number];
  /** Max or average pooling. */
  readonly poolType: 'max' | 'avg';
  /** How the last feature map becomes a vector. */
  readonly readout: ConvReadout;
  /** Initialiser of the conv kernels. */
  readonly kernelInitializer: InitializerName;
  /** The seed the layer was built from. */
  readonly seed: number;

  private blocks: { kernel: tfl.LayerVariable; bias: tfl.LayerVariable }[] = [];

  /** @param args - See {@link Conv2dEncoderArgs}. */
  constructor(args: Conv2dEncoderArgs) {
    super(baseLayerArgs(args, 'conv2d_encoder'));
    const where = 'Conv2dEncoder';
    if (!Array.isArray(args.filters) || args.filters.length === 0) {
      throw new RangeError(
        `${where}: expected filters to be a non-empty array of positive ` +
          `integers, received ${JSON.stringify(args.filters)}`,
      );
    }
    args.filters.forEach((f, i) => assertInteger(where, `filters[${i}]`, f, 1));
    this.filters = [...args.filters];
    this.kernelSize = pair(where, 'kernelSize', args.kernelSize ?? 3);
    this.padding = args.padding ?? 'same';
    assertOneOf(where, 'padding', this.padding, ['same', 'valid']);
    this.activation = args.activation ?? 'relu';
    assertOneOf(where, 'activation', this.activation, ACTIVATION_NAMES);
    this.poolSize = pair(where, 'poolSize', args.poolSize ?? 2);
    this.poolType = args.poolType ?? 'max';
    assertOneOf(where, 'poolType', this.poolType, ['max', 'avg']);
    this.readout = args.readout ?? 'flatten';
    assertOneOf(where, 'readout', this.readout, OUTPUTS);
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    assertOneOf(where, 'kernelInitializer', this.kernelInitializer, [
      ...INITIALIZER_NAMES,
    ]);
    this.seed = resolveSeed(where, args.seed);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = this.checkShape(asShapeList(inputShape));
    const rng = new Random(this.seed);
    const [kh, kw] = this.kernelSize;
    let channels = shape[3] as number;
    this.blocks = this.filters.map((f, i) => {
      const kernel = addSeededWeight(
        this,
        `kernel_${i}`,
        [kh, kw, channels, f],
        this.kernelInitializer,
        rng,
        { fanIn: kh * kw * channels, fanOut: kh * kw * f },
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
    const [h, w] = this.featureMapSize(shape[1] ?? null, shape[2] ?? null);
    const f = this.filters[this.filters.length - 1] as number;
    if (this.readout !== 'flatten') return [shape[0] ?? null, f];
    return [shape[0] ?? null, h === null || w === null ? null : h * w * f];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    installKernels();
    return tf.tidy(() => {
      const list = asTensorList(inputs);
      this.checkShape(list.map((t) => t.shape));
      let x = list[0] as tf.Tensor4D;
      if (x.shape[0] === 0) {
        // Some backends' pooling and convolution kernels divide by the
        // batch size; an empty batch has an empty output of known shape.
        const [, ...rest] = this.computeOutputShape(x.shape);
        return tf.zeros([0, ...(rest as number[])]);
      }
      const fused = fusedActivation(this.activation);
      for (const block of this.blocks) {
        const filter = block.kernel.read() as tf.Tensor4D;
        const bias = block.bias.read();
        // One kernel for conv, bias and activation where tfjs can fuse them.
        x = fused
          ? tf.fused.conv2d({
              x,
              filter,
              strides: 1,
              pad: this.padding,
              bias,
              activation: fused,
            })
          : activate(
              tf.add(tf.conv2d(x, filter, 1, this.padding), bias),
              this.activation,
            );
        if (this.poolSize[0] > 1 || this.poolSize[1] > 1) {
          x =
            this.poolType === 'max'
              ? tf.maxPool(x, this.poolSize, this.poolSize, 'valid')
              : tf.avgPool(x, this.poolSize, this.poolSize, 'valid');
        }
      }
      if (this.readout === 'globalAverage') return tf.mean(x, [1, 2]);
      if (this.readout === 'globalMax') return tf.max(x, [1, 2]);
      const [batch, height, width, channels] = x.shape;
      return tf.reshape(x, [batch, height * width * channels]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: [...this.filters],
      kernelSize: [...this.kernelSize],
      padding: this.padding,
      activation: this.activation,
      poolSize: [...this.poolSize],
      poolType: this.poolType,
      readout: this.readout,
      kernelInitializer: this.kernelInitializer,
      seed: this.seed,
    };
  }

  /** Height and width of the last feature map for an input size. */
  private featureMapSize(
    h: number | null,
    w: number | null,
  ): [number | null, number | null] {
    const [kh, kw] = this.kernelSize;
    const [ph, pw] = this.poolSize;
    for (let i = 0; i < this.filters.length; i++) {
      if (h !== null) {
        h = this.padding === 'same' ? h : h - kh + 1;
        h = Math.floor(h / ph);
      }
      if (w !== null) {
        w = this.padding === 'same' ? w : w - kw + 1;
        w = Math.floor(w / pw);
      }
    }
    return [h, w];
  }

  private checkShape(shapes: readonly (readonly (number | null)[])[]) {
    const where = `Conv2dEncoder '${this.name}'`;
    const shape = shapes[0];
    if (shapes.length !== 1 || !shape || shape.length !== 4) {
      throw new ShapeError(
        `${where}: expected one input [batch, height, width, channels], ` +
          `received shapes ${formatShapes(shapes.map((s) => [...s]))}`,
      );
    }
    const [h, w] = this.featureMapSize(shape[1] ?? null, shape[2] ?? null);
    if ((h !== null && h < 1) || (w !== null && w < 1)) {
      throw new ShapeError(
        `${where}: an input of shape ${formatShape([...shape])} is too ` +
          `small for ${this.filters.length} blocks of kernel ` +
          `${formatShape(this.kernelSize)} and pool ` +
          formatShape(this.poolSize),
      );
    }
    const built = this.blocks[0]?.kernel.shape[2];
    if (built !== undefined && shape[3] !== built) {
      throw new ShapeError(
        `${where}: expected ${built} input channels, received shape ` +
          formatShape([...shape]),
      );
    }
    return shape;
  }
}
tf.serialization.registerClass(Conv2dEncoder);

/**
 * Creates a {@link Conv2dEncoder}.
 *
 * @example
 * ```ts
 * const image = tfl.input({ shape: [64, 64, 1] });
 * const h = conv2dEncoder({ filters: [16, 32, 64, 64] }).apply(image);
 * // h: SymbolicTensor [null, 1024]
 * ```
 * @param args - See {@link Conv2dEncoderArgs}.
 * @returns The layer.
 */
export function conv2dEncoder(args: Conv2dEncoderArgs): Conv2dEncoder {
  return new Conv2dEncoder(args);
}

function pair(
  where: string,
  name: string,
  value: number | [number, number],
): [number, number] {
  const p: [number, number] =
    typeof value === 'number' ? [value, value] : [value[0], value[1]];
  assertInteger(where, `${name}[0]`, p[0], 1);
  assertInteger(where, `${name}[1]`, p[1], 1);
  return p;
}

/**
 * Text encoder: token embeddings, 1D convolutions of several widths and
 * max-over-time pooling.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {
  ACTIVATION_NAMES,
  type ActivationName,
  activate,
  fusedActivation,
} from '../internal/activations';
import { assertInteger, assertOneOf } from '../internal/assert';
import {
  type Kwargs,
  type LayerShape,
  addSeededWeight,
} from '../internal/layer-utils';
import { Random } from '../internal/random';
import {
  TextEncoderLayer,
  type TextEncoderArgs,
  type TextPooling,
  checkPooling,
} from './text-encoder-base';

/** Options of {@link CnnTextEncoder}. */
export interface CnnTextEncoderArgs extends TextEncoderArgs {
  /** Filters of each kernel width; the output has `filters * widths`. */
  filters: number;
  /** Kernel widths, one convolution each. @defaultValue [3, 4, 5] */
  kernelSizes?: number[];
  /** Activation after each convolution. @defaultValue 'relu' */
  activation?: ActivationName;
  /**
   * `max` (max over time, Kim 2014), `mean` over the real tokens, or
   * `none`: the feature maps `[batch, time, filters * widths]`, zero at
   * padded positions. @defaultValue 'max'
   */
  pooling?: 'max' | 'mean' | 'none';
}

const POOLINGS: readonly TextPooling[] = ['max', 'mean', 'none'];

interface ConvWeights {
  kernel: tfl.LayerVariable;
  bias: tfl.LayerVariable;
}

/**
 * Embedding + one 1D convolution per kernel width ('same' padding, stride
 * 1) + activation, feature maps joined along the channel axis, then
 * pooled over the real tokens.
 *
 * Padding: padded positions have zero embeddings, exactly what 'same'
 * convolution puts beyond the ends of the text, so every real position's
 * feature map equals that of the unpadded text; pooling then skips the
 * padded positions.
 *
 * Input: ids `[batch, time]`, each in `[0, vocabularySize)`, and an
 * optional mask (see {@link TextEncoderLayer}). Output:
 * `[batch, filters * widths]` (widths in the order given), or
 * `[batch, time, filters * widths]` with `pooling: 'none'`. Empty inputs:
 * a batch of 0 gives `[0, filters * widths]` (`[0, time, ...]`), and
 * `time = 0` gives zeros `[batch, filters * widths]` (`[batch, 0, ...]`).
 * Weights: `embeddings`, then `kernel_<w>` `[w, embeddingDim, filters]`
 * and `bias_<w>` per width.
 *
 * @see Kim (2014), Convolutional Neural Networks for Sentence
 * Classification.
 */
export class CnnTextEncoder extends TextEncoderLayer {
  /** @internal */
  static className = 'modalfuse>CnnTextEncoder';

  /** Filters per width. */
  readonly filters: number;
  /** Kernel widths. */
  readonly kernelSizes: number[];
  /** Activation after each convolution. */
  readonly activation: ActivationName;

  private convs: ConvWeights[] = [];

  /** @param args - See {@link CnnTextEncoderArgs}. */
  constructor(args: CnnTextEncoderArgs) {
    const where = 'CnnTextEncoder';
    const pooling = checkPooling(where, args.pooling ?? 'max', POOLINGS);
    super(args, pooling, 'cnn_text_encoder');
    assertInteger(where, 'filters', args.filters, 1);
    this.filters = args.filters;
    const sizes = args.kernelSizes ?? [3, 4, 5];
    if (!Array.isArray(sizes) || sizes.length === 0) {
      throw new RangeError(
        `${where}: expected kernelSizes to be a non-empty array of ` +
          `positive integers, received ${JSON.stringify(sizes)}`,
      );
    }
    sizes.forEach((k, i) => assertInteger(where, `kernelSizes[${i}]`, k, 1));
    this.kernelSizes = [...sizes];
    this.activation = args.activation ?? 'relu';
    assertOneOf(where, 'activation', this.activation, ACTIVATION_NAMES);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const rng = new Random(this.seed);
    this.buildEmbeddings(rng, inputShape);
    const e = this.embeddingDim;
    this.convs = this.kernelSizes.map((w, i) => ({
      kernel: addSeededWeight(
        this,
        `kernel_${i}_${w}`,
        [w, e, this.filters],
        'glorotUniform',
        rng,
        { fanIn: w * e, fanOut: w * this.filters },
      ),
      bias: addSeededWeight(
        this,
        `bias_${i}_${w}`,
        [this.filters],
        'zeros',
        rng,
      ),
    }));
    this.built = true;
  }

  override outputDim(): number {
    return this.filters * this.kernelSizes.length;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const { ids, mask } = this.tokenInputs(inputs, kwargs);
      const empty = this.emptyOutput(ids);
      if (empty) return empty;

      // [batch, 1, time, e]: conv1d as a height-1 conv2d, where tfjs can
      // fuse bias and activation into the kernel call.
      const image = tf.expandDims(this.embed(ids, mask), 1) as tf.Tensor4D;
      const fused = fusedActivation(this.activation);
      const maps = this.convs.map(({ kernel, bias }) => {
        const filter = tf.expandDims(kernel.read(), 0) as tf.Tensor4D;
        if (fused) {
          return tf.fused.conv2d({
            x: image,
            filter,
            strides: 1,
            pad: 'same',
            bias: bias.read(),
            activation: fused,
          });
        }
        const y = tf.add(tf.conv2d(image, filter, 1, 'same'), bias.read());
        return activate(y, this.activation);
      });
      const joined = maps.length === 1 ? maps[0]! : tf.concat(maps, 3);
      const states = tf.squeeze(joined, [1]) as tf.Tensor3D;
      return this.maybeDropout(this.pool(states, mask), kwargs);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSizes: [...this.kernelSizes],
      activation: this.activation,
    };
  }
}
tf.serialization.registerClass(CnnTextEncoder);

/**
 * Creates a {@link CnnTextEncoder}.
 *
 * @example
 * ```ts
 * const ids = tfl.input({ shape: [40] });
 * const h = cnnTextEncoder({
 *   vocabularySize: 5000,
 *   embeddingDim: 64,
 *   filters: 32,
 *   kernelSizes: [3, 4, 5],
 * }).apply(ids);
 * // h: SymbolicTensor [null, 96]
 * ```
 * @param args - See {@link CnnTextEncoderArgs}.
 * @returns The layer.
 */
export function cnnTextEncoder(args: CnnTextEncoderArgs): CnnTextEncoder {
  return new CnnTextEncoder(args);
}

/**
 * Text encoder: token and position embeddings read by a small transformer
 * encoder with a padding mask.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError, formatShape } from '../internal/errors';
import {
  type Kwargs,
  type LayerShape,
  addSeededWeight,
  isTraining,
} from '../internal/layer-utils';
import { Random } from '../internal/random';
import {
  type BlockWeights,
  addBlockWeights,
  feedForward,
  layerNorm,
  selfAttention,
} from './transformer-block';
import {
  TextEncoderLayer,
  type TextEncoderArgs,
  type TextPooling,
  checkPooling,
} from './text-encoder-base';

/** Options of {@link TransformerTextEncoder}. */
export interface TransformerTextEncoderArgs extends TextEncoderArgs {
  /** Longest text the position embeddings cover; longer inputs throw. */
  maxLength: number;
  /** Attention heads; must divide `embeddingDim`. @defaultValue 1 */
  heads?: number;
  /** Encoder blocks. @defaultValue 1 */
  layers?: number;
  /** Hidden width of each block's feed-forward part. @defaultValue 4E */
  ffDim?: number;
  /** Activation of the feed-forward part. @defaultValue 'gelu' */
  activation?: 'relu' | 'gelu';
  /**
   * `mean` or `max` over the real tokens, `first` (the first real token,
   * for a `[CLS]`-style token), or `none`: the states
   * `[batch, time, embeddingDim]`, zero at padded positions.
   * @defaultValue 'mean'
   */
  pooling?: 'mean' | 'max' | 'first' | 'none';
}

const POOLINGS: readonly TextPooling[] = ['mean', 'max', 'first', 'none'];

/**
 * Embedding + learned position embeddings + `layers` transformer encoder
 * blocks + a final layer norm, pooled over the real tokens.
 *
 * Each block is pre-norm: `x += MHA(LN(x))`, then `x += FFN(LN(x))`, with
 * multi-head self-attention `softmax(Q Kᵀ / √d + mask) V` in which padded
 * keys get weight exactly 0, and `FFN(x) = act(x W₁ + b₁) W₂ + b₂`.
 * Deviation: the original transformer normalises after each residual
 * (post-norm); pre-norm with a final norm trains stably without a learning
 * rate warm-up, which matters for the short training runs here.
 *
 * Padding: positions count real tokens only (position p is the p-th real
 * token), so left and right padding give the real tokens the same
 * position embeddings; with the key mask, the real tokens' states equal
 * those of the unpadded text.
 *
 * Input: ids `[batch, time]` with `time <= maxLength`, each in
 * `[0, vocabularySize)`, and an optional mask (see
 * {@link TextEncoderLayer}). Output: `[batch, embeddingDim]`, or
 * `[batch, time, embeddingDim]` with `pooling: 'none'`. Empty inputs: a
 * batch of 0 gives `[0, embeddingDim]` (`[0, time, embeddingDim]`), and
 * `time = 0` gives zeros `[batch, embeddingDim]`
 * (`[batch, 0, embeddingDim]`). `dropout` applies
 * to each residual branch while training.
 *
 * @see Vaswani et al. (2017), Attention Is All You Need; Xiong et al.
 * (2020), On Layer Normalization in the Transformer Architecture.
 */
export class TransformerTextEncoder extends TextEncoderLayer {
  /** @internal */
  static className = 'modalfuse>TransformerTextEncoder';

  /** Longest text the position embeddings cover. */
  readonly maxLength: number;
  /** Attention heads. */
  readonly heads: number;
  /** Encoder blocks. */
  readonly layers: number;
  /** Feed-forward width. */
  readonly ffDim: number;
  /** Feed-forward activation. */
  readonly activation: 'relu' | 'gelu';

  private positions: tfl.LayerVariable | null = null;
  private blocks: BlockWeights[] = [];
  private finalGamma: tfl.LayerVariable | null = null;
  private finalBeta: tfl.LayerVariable | null = null;

  /** @param args - See {@link TransformerTextEncoderArgs}. */
  constructor(args: TransformerTextEncoderArgs) {
    const where = 'TransformerTextEncoder';
    const pooling = checkPooling(where, args.pooling ?? 'mean', POOLINGS);
    super(args, pooling, 'transformer_text_encoder');
    assertInteger(where, 'maxLength', args.maxLength, 1);
    this.maxLength = args.maxLength;
    this.heads = args.heads ?? 1;
    assertInteger(where, 'heads', this.heads, 1);
    if (this.embeddingDim % this.heads !== 0) {
      throw new RangeError(
        `${where}: expected heads to divide embeddingDim ` +
          `(${this.embeddingDim}), received ${this.heads}`,
      );
    }
    this.layers = args.layers ?? 1;
    assertInteger(where, 'layers', this.layers, 1);
    this.ffDim = args.ffDim ?? 4 * this.embeddingDim;
    assertInteger(where, 'ffDim', this.ffDim, 1);
    this.activation = args.activation ?? 'gelu';
    assertOneOf(where, 'activation', this.activation, ['relu', 'gelu']);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const rng = new Random(this.seed);
    this.buildEmbeddings(rng, inputShape);
    const e = this.embeddingDim;
    const f = this.ffDim;
    this.positions = addSeededWeight(
      this,
      'position_embeddings',
      [this.maxLength, e],
      'zeros',
      rng,
    );
    const values = new Float32Array(this.maxLength * e);
    for (let i = 0; i < values.length; i++) {
      values[i] = (2 * rng.next() - 1) * 0.05;
    }
    tf.tidy(() => {
      this.positions!.write(tf.tensor2d(values, [this.maxLength, e]));
    });

    this.blocks = Array.from({ length: this.layers }, (_, l) =>
      addBlockWeights(this, l, e, f, rng),
    );
    const weight = (name: string, shape: number[], init: 'ones' | 'zeros') =>
      addSeededWeight(this, name, shape, init, rng);
    this.finalGamma = weight('final_gamma', [e], 'ones');
    this.finalBeta = weight('final_beta', [e], 'zeros');
    this.built = true;
  }

  override outputDim(): number {
    return this.embeddingDim;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => this.forward(inputs, kwargs));
  }

  /**
   * The self-attention weights of every block for a batch, in inference
   * mode: one `[batch, heads, time, time]` tensor per block, bottom first
   * (rows are queries, columns keys; padded keys get weight 0). Pass them
   * to `explainAttention` or `explainAttentionRollout` with the mask; they
   * describe where attention went, not what changed the output. The
   * caller disposes them.
   *
   * @param ids - Token ids `[batch, time]`.
   * @param mask - Optional mask `[batch, time]` (default: ids ≠ padId).
   * @returns One tensor per block.
   * @throws Error before the layer is built; the errors of `apply` for
   *   bad ids or masks.
   */
  attentionWeights(ids: tf.Tensor, mask?: tf.Tensor): tf.Tensor4D[] {
    if (!this.built) {
      throw new Error(
        `TransformerTextEncoder '${this.name}': attentionWeights needs a ` +
          `built layer; apply it (or build its model) first`,
      );
    }
    return tf.tidy(() => {
      const weights: tf.Tensor4D[] = [];
      this.forward(mask === undefined ? ids : [ids, mask], {}, weights);
      return weights;
    });
  }

  /** The forward pass; `weights` collects each block's attention. */
  private forward(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: Kwargs,
    weights?: tf.Tensor4D[],
  ): tf.Tensor {
    const { ids, mask } = this.tokenInputs(inputs, kwargs);
    const empty = this.emptyOutput(ids);
    if (empty) return empty;

    const [batch, time] = ids.shape;
    const e = this.embeddingDim;

    // Position p = number of real tokens before this one.
    const position = tf.cast(
      tf.maximum(tf.sub(tf.cumsum(mask, 1), 1), 0),
      'int32',
    );
    const table = (this.positions as tfl.LayerVariable).read();
    let x = tf.add(
      this.embed(ids, mask),
      tf.gather(table, position),
    ) as tf.Tensor3D; // [batch, time, E]

    // Additive key mask [batch, 1, 1, time]: 0 for real, -1e9 for padded.
    const keyBias = tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [
      batch,
      1,
      1,
      time,
    ]);
    const training = isTraining(kwargs);
    for (const block of this.blocks) {
      const attended = selfAttention(block, x, keyBias, this.heads, weights);
      x = tf.add(x, this.branchDropout(attended, training));
      const ff = feedForward(block, x, this.activation);
      x = tf.add(x, this.branchDropout(ff, training));
    }
    const normed = layerNorm(
      tf.reshape(x, [batch * time, e]),
      (this.finalGamma as tfl.LayerVariable).read(),
      (this.finalBeta as tfl.LayerVariable).read(),
    );
    return this.pool(tf.reshape(normed, [batch, time, e]), mask);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      maxLength: this.maxLength,
      heads: this.heads,
      layers: this.layers,
      ffDim: this.ffDim,
      activation: this.activation,
    };
  }

  protected override checkShapes(
    shapes: readonly (readonly (number | null)[])[],
  ): void {
    super.checkShapes(shapes);
    const time = shapes[0]?.[1];
    if (time !== null && time !== undefined && time > this.maxLength) {
      throw new ShapeError(
        `TransformerTextEncoder '${this.name}': expected at most maxLength ` +
          `= ${this.maxLength} tokens, received shape ` +
          formatShape([...(shapes[0] as (number | null)[])]),
      );
    }
  }

  private branchDropout(x: tf.Tensor3D, training: boolean): tf.Tensor3D {
    if (!training || this.dropout === 0) return x;
    return tf.dropout(
      x,
      this.dropout,
      undefined,
      this.dropoutRng.seed(),
    ) as tf.Tensor3D;
  }
}
tf.serialization.registerClass(TransformerTextEncoder);

/**
 * Creates a {@link TransformerTextEncoder}.
 *
 * @example
 * ```ts
 * const ids = tfl.input({ shape: [32] });
 * const h = transformerTextEncoder({
 *   vocabularySize: 5000,
 *   embeddingDim: 64,
 *   maxLength: 32,
 *   heads: 4,
 * }).apply(ids);
 * // h: SymbolicTensor [null, 64]
 * ```
 * @param args - See {@link TransformerTextEncoderArgs}.
 * @returns The layer.
 */
export function transformerTextEncoder(
  args: TransformerTextEncoderArgs,
): TransformerTextEncoder {
  return new TransformerTextEncoder(args);
}

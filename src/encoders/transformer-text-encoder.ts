/**
 * Text encoder: token and position embeddings read by a small transformer
 * encoder with a padding mask.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { activate } from '../internal/activations';
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

/** Epsilon of the layer normalisations (PyTorch's default). */
const LN_EPSILON = 1e-5;

interface BlockWeights {
  ln1Gamma: tfl.LayerVariable;
  ln1Beta: tfl.LayerVariable;
  qkvKernel: tfl.LayerVariable;
  qkvBias: tfl.LayerVariable;
  outKernel: tfl.LayerVariable;
  outBias: tfl.LayerVariable;
  ln2Gamma: tfl.LayerVariable;
  ln2Beta: tfl.LayerVariable;
  ff1Kernel: tfl.LayerVariable;
  ff1Bias: tfl.LayerVariable;
  ff2Kernel: tfl.LayerVariable;
  ff2Bias: tfl.LayerVariable;
}

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

    const weight = (name: string, shape: number[], init: 'ones' | 'zeros') =>
      addSeededWeight(this, name, shape, init, rng);
    const kernel = (name: string, shape: [number, number]) =>
      addSeededWeight(this, name, shape, 'glorotUniform', rng);
    this.blocks = Array.from({ length: this.layers }, (_, l) => ({
      ln1Gamma: weight(`ln1_gamma_${l}`, [e], 'ones'),
      ln1Beta: weight(`ln1_beta_${l}`, [e], 'zeros'),
      // Q, K and V in one product; each block of E columns is initialised
      // as its own [E, E] kernel.
      qkvKernel: addSeededWeight(
        this,
        `qkv_kernel_${l}`,
        [e, 3 * e],
        'glorotUniform',
        rng,
        { fanIn: e, fanOut: e },
      ),
      qkvBias: weight(`qkv_bias_${l}`, [3 * e], 'zeros'),
      outKernel: kernel(`out_kernel_${l}`, [e, e]),
      outBias: weight(`out_bias_${l}`, [e], 'zeros'),
      ln2Gamma: weight(`ln2_gamma_${l}`, [e], 'ones'),
      ln2Beta: weight(`ln2_beta_${l}`, [e], 'zeros'),
      ff1Kernel: kernel(`ff1_kernel_${l}`, [e, f]),
      ff1Bias: weight(`ff1_bias_${l}`, [f], 'zeros'),
      ff2Kernel: kernel(`ff2_kernel_${l}`, [f, e]),
      ff2Bias: weight(`ff2_bias_${l}`, [e], 'zeros'),
    }));
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
      const attended = this.attend(block, x, keyBias, weights);
      x = tf.add(x, this.branchDropout(attended, training));
      const ff = this.feedForward(block, x, batch, time);
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

  /** Multi-head self-attention on LN(x); returns `[batch, time, E]`. */
  private attend(
    block: BlockWeights,
    x: tf.Tensor3D,
    keyBias: tf.Tensor,
    collect?: tf.Tensor4D[],
  ): tf.Tensor3D {
    const [batch, time] = x.shape;
    const e = this.embeddingDim;
    const h = this.heads;
    const d = e / h;
    const normed = layerNorm(
      tf.reshape(x, [batch * time, e]),
      block.ln1Gamma.read(),
      block.ln1Beta.read(),
    );
    const qkv = tf.fused.matMul({
      a: normed,
      b: block.qkvKernel.read() as tf.Tensor2D,
      bias: block.qkvBias.read(),
    }); // [batch * time, 3E]
    // [batch, 3H, time, d], then Q, K, V of [batch, H, time, d] each.
    const heads = tf.transpose(
      tf.reshape(qkv, [batch, time, 3 * h, d]),
      [0, 2, 1, 3],
    );
    const [q, k, v] = tf.split(heads, 3, 1) as [
      tf.Tensor4D,
      tf.Tensor4D,
      tf.Tensor4D,
    ];
    const scores = tf.add(
      tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d)),
      keyBias,
    ); // [batch, H, time, time]
    const weights = tf.softmax(scores) as tf.Tensor4D;
    collect?.push(weights);
    const context = tf.matMul(weights, v); // [batch, H, time, d]
    const joined = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [
      batch * time,
      e,
    ]);
    const out = tf.fused.matMul({
      a: joined as tf.Tensor2D,
      b: block.outKernel.read() as tf.Tensor2D,
      bias: block.outBias.read(),
    });
    return tf.reshape(out, [batch, time, e]);
  }

  /** The feed-forward part on LN(x); returns `[batch, time, E]`. */
  private feedForward(
    block: BlockWeights,
    x: tf.Tensor3D,
    batch: number,
    time: number,
  ): tf.Tensor3D {
    const e = this.embeddingDim;
    const normed = layerNorm(
      tf.reshape(x, [batch * time, e]),
      block.ln2Gamma.read(),
      block.ln2Beta.read(),
    );
    const hidden =
      this.activation === 'relu'
        ? tf.fused.matMul({
            a: normed,
            b: block.ff1Kernel.read() as tf.Tensor2D,
            bias: block.ff1Bias.read(),
            activation: 'relu',
          })
        : activate(
            tf.fused.matMul({
              a: normed,
              b: block.ff1Kernel.read() as tf.Tensor2D,
              bias: block.ff1Bias.read(),
            }),
            'gelu',
          );
    const out = tf.fused.matMul({
      a: hidden,
      b: block.ff2Kernel.read() as tf.Tensor2D,
      bias: block.ff2Bias.read(),
    });
    return tf.reshape(out, [batch, time, e]);
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
 * Layer normalisation over the last axis of `[rows, E]`.
 *
 * @returns `(x − mean) / sqrt(var + 1e-5) * gamma + beta`.
 */
function layerNorm(
  x: tf.Tensor2D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 1, true);
  const normed = tf.mul(
    tf.sub(x, mean),
    tf.rsqrt(tf.add(variance, LN_EPSILON)),
  );
  return tf.add(tf.mul(normed, gamma), beta);
}

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

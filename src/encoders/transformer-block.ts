/**
 * One pre-norm block of {@link TransformerTextEncoder}: its weights,
 * layer normalisation, multi-head self-attention and the feed-forward
 * part.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { activate } from '../internal/activations';
import { addSeededWeight } from '../internal/layer-utils';
import type { Random } from '../internal/random';

/** Epsilon of the layer normalisations (PyTorch's default). */
const LN_EPSILON = 1e-5;

/**
 * The weights of one block.
 *
 * @internal
 */
export interface BlockWeights {
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
 * Adds block `l`'s weights to `layer`, in a fixed order, so a seed always
 * gives the same weights.
 *
 * @param layer - The layer that owns the weights, in its `build()`.
 * @param l - The block's index, part of its weights' names.
 * @param e - Width E of the states.
 * @param f - Width of the feed-forward part.
 * @param rng - The seeded generator.
 * @returns The block's weights.
 *
 * @internal
 */
export function addBlockWeights(
  layer: tfl.layers.Layer,
  l: number,
  e: number,
  f: number,
  rng: Random,
): BlockWeights {
  const weight = (name: string, shape: number[], init: 'ones' | 'zeros') =>
    addSeededWeight(layer, name, shape, init, rng);
  const kernel = (name: string, shape: [number, number]) =>
    addSeededWeight(layer, name, shape, 'glorotUniform', rng);
  return {
    ln1Gamma: weight(`ln1_gamma_${l}`, [e], 'ones'),
    ln1Beta: weight(`ln1_beta_${l}`, [e], 'zeros'),
    // Q, K and V in one product; each block of E columns is initialised
    // as its own [E, E] kernel.
    qkvKernel: addSeededWeight(
      layer,
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
  };
}

/**
 * Multi-head self-attention on LN(x).
 *
 * @param block - The block's weights.
 * @param x - The states `[batch, time, E]`.
 * @param keyBias - Additive key mask `[batch, 1, 1, time]`: 0 for real
 *   tokens, -1e9 for padded ones.
 * @param h - Number of heads; divides E.
 * @param collect - Receives the weights `[batch, H, time, time]`.
 * @returns The attended states `[batch, time, E]`.
 *
 * @internal
 */
export function selfAttention(
  block: BlockWeights,
  x: tf.Tensor3D,
  keyBias: tf.Tensor,
  h: number,
  collect?: tf.Tensor4D[],
): tf.Tensor3D {
  const [batch, time, e] = x.shape;
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

/**
 * The feed-forward part on LN(x), `act(x W₁ + b₁) W₂ + b₂`.
 *
 * @param block - The block's weights.
 * @param x - The states `[batch, time, E]`.
 * @param activation - The activation of the hidden layer.
 * @returns `[batch, time, E]`.
 *
 * @internal
 */
export function feedForward(
  block: BlockWeights,
  x: tf.Tensor3D,
  activation: 'relu' | 'gelu',
): tf.Tensor3D {
  const [batch, time, e] = x.shape;
  const normed = layerNorm(
    tf.reshape(x, [batch * time, e]),
    block.ln2Gamma.read(),
    block.ln2Beta.read(),
  );
  const hidden =
    activation === 'relu'
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

/**
 * Layer normalisation over the last axis of `[rows, E]`.
 *
 * @returns `(x − mean) / sqrt(var + 1e-5) * gamma + beta`.
 *
 * @internal
 */
export function layerNorm(
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

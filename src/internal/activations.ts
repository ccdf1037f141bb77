/** Named activation functions accepted by modalfuse layers. */
import * as tf from '@tensorflow/tfjs-core';

/** Names of the activations that modalfuse layers accept. */
export type ActivationName =
  'relu' | 'tanh' | 'sigmoid' | 'elu' | 'gelu' | 'linear';

/** The activation names, for validation. */
export const ACTIVATION_NAMES: readonly ActivationName[] = [
  'relu',
  'tanh',
  'sigmoid',
  'elu',
  'gelu',
  'linear',
];

/** Applies the named activation. */
export function activate<T extends tf.Tensor>(x: T, name: ActivationName): T {
  switch (name) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'elu':
      return tf.elu(x);
    case 'gelu':
      // The tanh approximation of Hendrycks and Gimpel (2016).
      return tf.tidy(() => {
        const inner = tf.mul(
          Math.sqrt(2 / Math.PI),
          tf.add(x, tf.mul(0.044715, tf.pow(x, 3))),
        );
        return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner))) as T;
      });
    case 'linear':
      return x;
  }
}

/** Activations that tfjs's fused conv2d and matMul kernels apply in-kernel. */
const FUSABLE: ReadonlySet<ActivationName> = new Set([
  'relu',
  'elu',
  'sigmoid',
  'linear',
]);

/** The fused-kernel name of an activation, or null when not fusable. */
export function fusedActivation(
  name: ActivationName,
): 'relu' | 'elu' | 'sigmoid' | 'linear' | null {
  return FUSABLE.has(name)
    ? (name as 'relu' | 'elu' | 'sigmoid' | 'linear')
    : null;
}

/**
 * Per-modality dense projections, shared by the fusion layers that can
 * shrink their inputs before combining them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {
  type ActivationName,
  activate,
  fusedActivation,
} from '../internal/activations';
import { assertInteger } from '../internal/assert';
import type { InitializerName } from '../internal/init';
import { addSeededWeight } from '../internal/layer-utils';
import type { Random } from '../internal/random';

/** One dense map `x W + b` per modality. */
export class Projections {
  private readonly weights: {
    kernel: tfl.LayerVariable;
    bias: tfl.LayerVariable | null;
  }[];

  /**
   * Adds `<prefix>_kernel_<modality>` `[d_m, units[m]]` and, with
   * `useBias`, `<prefix>_bias_<modality>` `[units[m]]` to `layer`.
   *
   * @param layer - The owning layer, inside its `build`.
   * @param prefix - Weight name prefix.
   * @param modalities - Modality names in sorted order.
   * @param dims - Input size of each modality.
   * @param units - Output size of each modality's projection.
   * @param init - Kernel initialiser.
   * @param rng - The layer's random stream.
   * @param useBias - Whether to add biases. @defaultValue true
   */
  constructor(
    layer: tfl.layers.Layer,
    prefix: string,
    modalities: readonly string[],
    dims: readonly number[],
    units: readonly number[],
    init: InitializerName,
    rng: Random,
    useBias = true,
  ) {
    this.weights = modalities.map((m, i) => ({
      kernel: addSeededWeight(
        layer,
        `${prefix}_kernel_${m}`,
        [dims[i]!, units[i]!],
        init,
        rng,
      ),
      bias: useBias
        ? addSeededWeight(
            layer,
            `${prefix}_bias_${m}`,
            [units[i]!],
            'zeros',
            rng,
          )
        : null,
    }));
  }

  /**
   * Projects each modality, `act(x_m W_m + b_m)`, in one fused kernel where
   * tfjs can fuse the activation.
   *
   * @param values - One `[batch, d_m]` tensor per modality.
   * @param activation - Activation applied after the bias.
   * @returns One `[batch, units[m]]` tensor per modality.
   */
  apply(
    values: readonly tf.Tensor[],
    activation: ActivationName = 'linear',
  ): tf.Tensor2D[] {
    return values.map((x, i) =>
      dense(
        x as tf.Tensor2D,
        this.weights[i]!.kernel.read() as tf.Tensor2D,
        this.weights[i]!.bias?.read() ?? null,
        activation,
      ),
    );
  }
}

/**
 * `act(x W + b)` as one fused kernel where the activation fuses.
 *
 * @param x - `[batch, in]`.
 * @param kernel - `[in, out]`.
 * @param bias - `[out]` or null.
 * @param activation - Activation name.
 * @returns `[batch, out]`.
 */
export function dense(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor | null,
  activation: ActivationName,
): tf.Tensor2D {
  const fused = fusedActivation(activation);
  if (fused) {
    return tf.fused.matMul({
      a: x,
      b: kernel,
      ...(bias ? { bias } : {}),
      activation: fused,
    }) as tf.Tensor2D;
  }
  const product = tf.matMul(x, kernel);
  return activate(
    bias ? tf.add(product, bias) : product,
    activation,
  ) as tf.Tensor2D;
}

/** Validates an optional projection size: null or a positive integer. */
export function projectionSize(
  where: string,
  value: number | null | undefined,
): number | null {
  if (value === undefined || value === null) return null;
  assertInteger(where, 'projection', value, 1);
  return value;
}

/**
 * The LSTM stack of {@link lstmSequence} written with tfjs ops and
 * differentiated by tfjs's autodiff: what runs on backends without
 * modalfuse's LSTM kernels, and the reference their tests compare with.
 *
 * Not part of the public API.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { LstmSequenceArgs } from './lstm-op';

/**
 * Runs the stack with one fused product of `[x_t, h_{t-1}]` and the
 * stacked kernels per layer and step, the gate arithmetic in tfjs ops and
 * each step's temporaries freed as soon as it ends.
 *
 * @param args - See {@link LstmSequenceArgs}.
 * @returns `[batch, time, u]` with `returnSequences`, else `[batch, u]`.
 */
export function lstmSequenceReference(args: LstmSequenceArgs): tf.Tensor {
  return tf.tidy(() => {
    const { kernels, recurrentKernels, biases } = args;
    // Time-major inside, so that every step's slice is contiguous.
    const keep =
      args.mask == null
        ? null
        : (tf.unstack(
            tf.expandDims(tf.transpose(tf.cast(args.mask, 'bool')), 2),
          ) as tf.Tensor2D[]); // time x [batch, 1]
    let sequence = tf.unstack(
      tf.transpose(tf.cast(args.x, 'float32'), [1, 0, 2]),
    ) as tf.Tensor2D[];
    kernels.forEach((kernel, l) => {
      const recurrent = recurrentKernels[l] as tf.Tensor2D;
      const outputs = runLayer(
        sequence,
        kernel as tf.Tensor2D,
        recurrent,
        biases[l] as tf.Tensor1D,
        keep,
      );
      const masks = args.dropoutMasks?.[l];
      sequence = masks
        ? outputs.map((h, t) => tf.mul(h, masks[t] as tf.Tensor))
        : outputs;
    });
    if (!args.returnSequences) return sequence[sequence.length - 1];
    return tf.transpose(tf.stack(sequence), [1, 0, 2]);
  });
}

function runLayer(
  inputs: tf.Tensor2D[],
  kernel: tf.Tensor2D,
  recurrent: tf.Tensor2D,
  bias: tf.Tensor1D,
  keep: tf.Tensor2D[] | null,
): tf.Tensor2D[] {
  const batch = (inputs[0] as tf.Tensor2D).shape[0];
  const units = recurrent.shape[0];
  const stacked = tf.concat([kernel, recurrent], 0);
  let h: tf.Tensor2D = tf.zeros([batch, units]);
  let c: tf.Tensor2D = tf.zeros([batch, units]);
  const outputs: tf.Tensor2D[] = [];
  inputs.forEach((x, t) => {
    [h, c] = tf.tidy(() => {
      const z = tf.fused.matMul({
        a: tf.concat([x, h], 1),
        b: stacked,
        bias,
      });
      const [i, f, , o] = tf.split(tf.sigmoid(z), 4, 1) as tf.Tensor2D[];
      const g = tf.tanh(tf.slice(z, [0, 2 * units], [-1, units]));
      const cNew = tf.add(tf.mul(f as tf.Tensor, c), tf.mul(i as tf.Tensor, g));
      const hNew = tf.mul(o as tf.Tensor, tf.tanh(cNew));
      const k = keep?.[t];
      if (!k) return [hNew, cNew] as tf.Tensor2D[];
      return [tf.where(k, hNew, h), tf.where(k, cNew, c)] as tf.Tensor2D[];
    }) as [tf.Tensor2D, tf.Tensor2D];
    outputs.push(h);
  });
  return outputs;
}

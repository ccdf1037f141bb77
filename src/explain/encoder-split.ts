/**
 * Splitting modalfuse's conv encoders after a block: the encoder holds all
 * its conv blocks in one layer, so Grad-CAM re-runs the blocks with the
 * encoder's own weights and configuration to reach the feature map inside.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { activate, fusedActivation } from '../internal/activations';
import { ShapeError } from '../internal/errors';
import { Conv1dEncoder } from '../encoders/conv1d-encoder';
import { Conv2dEncoder } from '../encoders/conv2d-encoder';

/** A layer cut in two at a feature map. */
export interface LayerSplit {
  /** The layer's inputs to the feature map. */
  before: (inputs: tf.Tensor[]) => tf.Tensor;
  /** The feature map to the layer's output. */
  after: (map: tf.Tensor) => tf.Tensor;
}

/** True for the conv encoders whose blocks Grad-CAM can reach. */
export function isConvEncoder(
  layer: tfl.layers.Layer,
): layer is Conv2dEncoder | Conv1dEncoder {
  return layer instanceof Conv2dEncoder || layer instanceof Conv1dEncoder;
}

/**
 * Splits a conv encoder after the activation of block `block` (before that
 * block's pooling): `after(before(x))` equals the encoder's output.
 *
 * @param where - The caller, for messages.
 * @param layer - A built `Conv2dEncoder` or `Conv1dEncoder`.
 * @param block - Block index, 0-based.
 * @returns The two halves.
 * @throws RangeError for a block out of range; ShapeError when the
 *   encoder's weights are not those of its blocks.
 */
export function splitConvEncoder(
  where: string,
  layer: Conv2dEncoder | Conv1dEncoder,
  block: number,
): LayerSplit {
  const blocks = layer.filters.length;
  if (!Number.isInteger(block) || block < 0 || block >= blocks) {
    throw new RangeError(
      `${where}: expected block in [0, ${blocks - 1}] for encoder ` +
        `'${layer.name}' with ${blocks} blocks, received ${block}`,
    );
  }
  const weights = layer.weights;
  if (weights.length !== 2 * blocks) {
    throw new ShapeError(
      `${where}: expected encoder '${layer.name}' to hold ${2 * blocks} ` +
        `weights (a kernel and a bias per block), received ${weights.length}`,
    );
  }
  const kernel = (i: number) => weights[2 * i]!.read();
  const bias = (i: number) => weights[2 * i + 1]!.read();
  const step =
    layer instanceof Conv2dEncoder ? conv2dSteps(layer) : conv1dSteps(layer);
  return {
    before: (inputs) => {
      let x = inputs[0] as tf.Tensor;
      for (let i = 0; i < block; i++)
        x = step.pool(step.conv(x, kernel(i), bias(i)));
      return step.conv(x, kernel(block), bias(block));
    },
    after: (map) => {
      let x = step.pool(map);
      for (let i = block + 1; i < blocks; i++) {
        x = step.pool(step.conv(x, kernel(i), bias(i)));
      }
      return step.readout(x);
    },
  };
}

interface Steps {
  conv: (x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor) => tf.Tensor;
  pool: (x: tf.Tensor) => tf.Tensor;
  readout: (x: tf.Tensor) => tf.Tensor;
}

/** The block steps of Conv2dEncoder.call, one by one. */
function conv2dSteps(layer: Conv2dEncoder): Steps {
  const fused = fusedActivation(layer.activation);
  const [ph, pw] = layer.poolSize;
  return {
    conv: (x, filter, bias) =>
      fused
        ? tf.fused.conv2d({
            x: x as tf.Tensor4D,
            filter: filter as tf.Tensor4D,
            strides: 1,
            pad: layer.padding,
            bias,
            activation: fused,
          })
        : activate(
            tf.add(
              tf.conv2d(
                x as tf.Tensor4D,
                filter as tf.Tensor4D,
                1,
                layer.padding,
              ),
              bias,
            ),
            layer.activation,
          ),
    pool: (x) => {
      if (ph === 1 && pw === 1) return x;
      return layer.poolType === 'max'
        ? tf.maxPool(x as tf.Tensor4D, [ph, pw], [ph, pw], 'valid')
        : tf.avgPool(x as tf.Tensor4D, [ph, pw], [ph, pw], 'valid');
    },
    readout: (x) => {
      if (layer.readout === 'globalAverage') return tf.mean(x, [1, 2]);
      if (layer.readout === 'globalMax') return tf.max(x, [1, 2]);
      return tf.reshape(x, [x.shape[0]!, -1]);
    },
  };
}

/** The block steps of Conv1dEncoder.call, one by one. */
function conv1dSteps(layer: Conv1dEncoder): Steps {
  const fused = fusedActivation(layer.activation);
  const reach = (layer.kernelSize - 1) * layer.dilation;
  const pad = layer.padding === 'same' ? 'same' : 'valid';
  return {
    conv: (input, kernel, bias) => {
      let x = input as tf.Tensor3D;
      if (layer.padding === 'causal' && reach > 0) {
        x = tf.pad(x, [
          [0, 0],
          [reach, 0],
          [0, 0],
        ]);
      }
      if (!fused) {
        const conv = tf.conv1d(
          x,
          kernel as tf.Tensor3D,
          1,
          pad,
          'NWC',
          layer.dilation,
        );
        return activate(tf.add(conv, bias), layer.activation);
      }
      const y = tf.fused.conv2d({
        x: tf.expandDims(x, 1) as tf.Tensor4D,
        filter: tf.expandDims(kernel, 0) as tf.Tensor4D,
        strides: 1,
        pad,
        dilations: [1, layer.dilation],
        bias,
        activation: fused,
      });
      return tf.squeeze(y, [1]);
    },
    pool: (x) => {
      if (layer.poolSize <= 1) return x;
      const [batch, time, features] = x.shape as [number, number, number];
      const size = layer.poolSize;
      const as4d = tf.reshape(x, [batch, time, 1, features]) as tf.Tensor4D;
      const pooled = tf.maxPool(as4d, [size, 1], [size, 1], 'valid');
      return tf.reshape(pooled, [batch, pooled.shape[1], features]);
    },
    readout: (x) => {
      if (layer.readout === 'globalAverage') return tf.mean(x, 1);
      if (layer.readout === 'globalMax') return tf.max(x, 1);
      return tf.reshape(x, [x.shape[0]!, -1]);
    },
  };
}

/**
 * The gradient of a 2D convolution with respect to its input, built from a
 * backend's own reshape, pad, reverse, transpose and convolution kernels.
 *
 * For `y = conv2d(x, w)` with stride `(sh, sw)` and top/left padding
 * `(top, left)`, `dx[b, r, c, i] = sum of dy[b, p, q, o] *
 * w[r + top - p*sh, c + left - q*sw, i, o]` over the filter offsets that
 * fall inside the filter. That is a stride-1 correlation of `dy`, first
 * spread out by the strides (row `p` moved to row `p*sh`, zeros between),
 * with the filter reversed on both spatial axes and its channel axes
 * swapped, after padding the spread `dy` by `kh - 1 - top` rows above and
 * as many below as make the result `h` rows tall (likewise for columns).
 * Negative amounts crop instead, which happens with explicit paddings larger
 * than the filter. The spreading is a reshape to `[b, oh, 1, ow, 1, co]`, a
 * pad of the unit axes by `stride - 1` and a reshape back; its trailing
 * zero rows count towards the bottom padding.
 *
 * When all paddings are non-negative they go to the convolution as explicit
 * padding, so stride-1 gradients cost one convolution and no extra copy.
 */
import * as tf from '@tensorflow/tfjs-core';

import { formatShape, ShapeError } from '../internal/errors';
import { type KernelScope, sizeOf, withKernelScope } from './kernel-scope';

const WHERE = 'Conv2DBackpropInput';

/**
 * Computes the input gradient on the scope's backend.
 *
 * @param scope - Scope whose backend runs the kernels and owns temporaries.
 * @param dy - Gradient of the convolution's output, `[b, oh, ow, co]`.
 * @param filter - The convolution's filter, `[kh, kw, ci, co]`.
 * @param attrs - The attributes of the `Conv2DBackpropInput` kernel.
 * @returns The input gradient, of shape `attrs.inputShape`.
 * @throws ShapeError when `dy`, the filter and `inputShape` disagree.
 */
export function conv2DBackpropInputImpl(
  scope: KernelScope,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  attrs: tf.Conv2DBackpropInputAttrs,
): tf.TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const nchw = dataFormat === 'NCHW';
  const [b, h, w, ci] = nchw
    ? [inputShape[0], inputShape[2], inputShape[3], inputShape[1]]
    : inputShape;
  if (nchw) dy = scope.transpose(dy, [0, 2, 3, 1]);

  const [kh, kw, , co] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    [b, h, w, ci],
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const [oh, ow] = [info.outHeight, info.outWidth];
  const expected = [b, oh, ow, co];
  if (filter.shape[2] !== ci || dy.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `${WHERE}: expected dy ${formatShape(expected)} (NHWC) and a filter ` +
        `with ${ci} input channels for input ${formatShape([b, h, w, ci])}, ` +
        `received dy ${formatShape(dy.shape)} and filter ` +
        `${formatShape(filter.shape)}`,
    );
  }
  if (sizeOf(dy.shape) === 0 || sizeOf(filter.shape) === 0) {
    const zeros = scope.zeros([b, h, w, ci]);
    return nchw ? scope.transpose(zeros, [0, 3, 1, 2]) : zeros;
  }

  // Spread dy by the strides: [b, oh*sh, ow*sw, co], zeros in between.
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  let spread = scope.cast(dy, 'float32');
  if (sh > 1 || sw > 1) {
    const split = scope.reshape(spread, [b, oh, 1, ow, 1, co]);
    const padded = scope.padOrCrop(split, [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    spread = scope.reshape(padded, [b, oh * sh, ow * sw, co]);
  }

  // Padding that turns the correlation into a 'valid' one of height h.
  const top = kh - 1 - info.padInfo.top;
  const bottom = h + kh - 1 - top - oh * sh;
  const left = kw - 1 - info.padInfo.left;
  const right = w + kw - 1 - left - ow * sw;

  // Filter reversed in space, channels swapped: [kh, kw, co, ci].
  const reversed = scope.run('Reverse', { x: filter }, { dims: [0, 1] });
  const flipped = scope.transpose(
    scope.cast(reversed, 'float32'),
    [0, 1, 3, 2],
  );

  const convAttrs = { strides: [1, 1], dilations: [1, 1], dataFormat: 'NHWC' };
  let dx: tf.TensorInfo;
  if (Math.min(top, bottom, left, right) >= 0) {
    const explicit = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    dx = scope.run(
      'Conv2D',
      { x: spread, filter: flipped },
      { ...convAttrs, pad: explicit },
    );
  } else {
    const framed = scope.padOrCrop(spread, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ]);
    dx = scope.run(
      'Conv2D',
      { x: framed, filter: flipped },
      { ...convAttrs, pad: 'valid' },
    );
  }
  return nchw ? scope.transpose(dx, [0, 3, 1, 2]) : dx;
}

/**
 * A `Conv2DBackpropInput` kernel function for `backendName`, built from that
 * backend's `Reshape`, `PadV2`, `Slice`, `Reverse`, `Transpose` and
 * `Conv2D` kernels.
 *
 * @param backendName - The backend whose kernels it runs.
 * @returns A kernel function to register for that backend.
 */
export function conv2DBackpropInputKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as tf.Conv2DBackpropInputInputs;
    return withKernelScope(
      WHERE,
      backendName,
      backend as tf.KernelBackend,
      (scope) =>
        conv2DBackpropInputImpl(
          scope,
          dy as tf.TensorInfo,
          filter as tf.TensorInfo,
          attrs as unknown as tf.Conv2DBackpropInputAttrs,
        ),
    );
  };
}

/**
 * The kernel config of modalfuse's `Conv2DBackpropInput` for
 * `backendName`, for callers who register kernels themselves.
 *
 * @param backendName - The backend to register it for.
 * @returns A config to pass to `tf.registerKernel`.
 */
export function conv2DBackpropInputConfig(
  backendName: string,
): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropInput,
    backendName,
    kernelFunc: conv2DBackpropInputKernel(backendName),
  };
}

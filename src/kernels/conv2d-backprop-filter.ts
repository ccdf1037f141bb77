/**
 * The gradient of a 2D convolution with respect to its filter, built from a
 * backend's own transpose, convolution and matrix-product kernels.
 *
 * For `y = conv2d(x, w)` with `w` of shape `[kh, kw, ci, co]`, stride
 * `(sh, sw)` and top/left padding `(top, left)`, the filter gradient is
 * `dw[i, j, c, o] = sum over b, p, q of
 * x[b, p*sh + i - top, q*sw + j - left, c] * dy[b, p, q, o]`.
 * That is itself a convolution ("conv as correlation"): take `x` transposed
 * to `[ci, h, w, b]` as a batch of `ci` images with `b` channels, and `dy`
 * transposed to `[oh, ow, b, co]` as the filter, dilated by the forward
 * stride; a 'valid' convolution of the padded images gives `[ci, kh, kw,
 * co]`, which a last transpose turns into `[kh, kw, ci, co]`. The padding
 * (cropping where negative) makes the padded height exactly
 * `(oh - 1)*sh + kh`, so any forward padding or rounding mode works. The
 * backend's convolution does the heavy lifting and no tensor larger than
 * `x` or `dy` is made.
 *
 * Deviation: the brief's prototype extracted patches with a one-hot
 * depthwise convolution and multiplied them with `dy`; measured here, this formulation is about twice as fast on wasm for the
 * 3x3 layers of the thesis CNN (about even on its 1-channel first layer), 2 to
 * 3 times for strided 3x3 and 7x7 layers, 23 times for 5x5, on par or
 * faster on cpu, and it needs no patch tensor `kh*kw` times the size of
 * `x`. For 1x1 filters, where a convolution with a filter as large as `dy`
 * is wasteful, the gradient is the plain product `x^T dy`.
 *
 * Precision: the backend's convolution sums the `b*oh*ow` products in
 * float32, the cpu stock kernel in doubles. Over 32768 terms (batch 8,
 * 64x64) the two differ by about 5e-6 of the largest gradient value, which
 * is float32 rounding, not an error of the formulation.
 */
import * as tf from '@tensorflow/tfjs-core';

import { formatShape, ShapeError } from '../internal/errors';
import { type KernelScope, sizeOf, withKernelScope } from './kernel-scope';

const WHERE = 'Conv2DBackpropFilter';

/**
 * Computes the filter gradient on the scope's backend.
 *
 * @param scope - Scope whose backend runs the kernels and owns temporaries.
 * @param x - The convolution's input, `[b, h, w, ci]` (or NCHW).
 * @param dy - Gradient of the convolution's output, `[b, oh, ow, co]`.
 * @param attrs - The attributes of the `Conv2DBackpropFilter` kernel.
 * @returns The filter gradient, `[kh, kw, ci, co]`.
 * @throws ShapeError when the shapes of `x`, `dy` and the filter disagree.
 */
export function conv2DBackpropFilterImpl(
  scope: KernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  attrs: tf.Conv2DBackpropFilterAttrs,
): tf.TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const nchw = dataFormat === 'NCHW';
  const [b, h, w, xc] = (
    nchw ? [x.shape[0], x.shape[2], x.shape[3], x.shape[1]] : x.shape
  ) as [number, number, number, number];
  const dyNhwc = nchw
    ? [dy.shape[0], dy.shape[2], dy.shape[3], dy.shape[1]]
    : dy.shape;
  const [kh, kw, ci, co] = filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    [b, h, w, xc],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const [oh, ow] = [info.outHeight, info.outWidth];
  const expected = [b, oh, ow, co];
  if (xc !== ci || expected.some((d, i) => d !== dyNhwc[i])) {
    throw new ShapeError(
      `${WHERE}: expected x ${formatShape([b, h, w, ci])} and dy ` +
        `${formatShape(expected)} (NHWC) for filter ` +
        `${formatShape(filterShape)}, received x ${formatShape(x.shape)} ` +
        `and dy ${formatShape(dy.shape)} (${dataFormat})`,
    );
  }
  if (sizeOf(x.shape) === 0 || sizeOf(dy.shape) === 0) {
    return scope.zeros(filterShape);
  }

  // Rows of x (in padded coordinates) that the windows read: exactly
  // (oh - 1) * sh + kh of them, starting at -top.
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const { top, left } = info.padInfo;
  const frame: [number, number][] = [
    [top, (oh - 1) * sh + kh - h - top],
    [left, (ow - 1) * sw + kw - w - left],
  ];
  const xf = scope.cast(x, 'float32');
  const dyf = scope.cast(dy, 'float32');
  if (kh === 1 && kw === 1) {
    return pointwiseFilterGrad(scope, xf, dyf, nchw, [sh, sw], frame);
  }

  // Images [ci, h, w, b] and filter [oh, ow, b, co].
  const images = scope.transpose(xf, nchw ? [1, 2, 3, 0] : [3, 1, 2, 0]);
  const filter = scope.transpose(dyf, nchw ? [2, 3, 0, 1] : [1, 2, 0, 3]);
  const convAttrs = {
    strides: [1, 1],
    dilations: [sh, sw],
    dataFormat: 'NHWC',
  };
  let grad: tf.TensorInfo; // [ci, kh, kw, co]
  if (frame.flat().every((p) => p >= 0)) {
    grad = scope.run(
      'Conv2D',
      { x: images, filter },
      { ...convAttrs, pad: [[0, 0], ...frame, [0, 0]] },
    );
  } else {
    const framed = scope.padOrCrop(images, [[0, 0], ...frame, [0, 0]]);
    grad = scope.run(
      'Conv2D',
      { x: framed, filter },
      { ...convAttrs, pad: 'valid' },
    );
  }
  return scope.transpose(grad, [1, 2, 0, 3]);
}

/**
 * The 1x1 case: `x^T dy` over the input positions the strides visit. The
 * input is framed to exactly those rows and columns; with strides, a
 * 'valid' depthwise convolution with a 1x1 filter of ones then picks them
 * (exact: one product by 1 per output), which the backends run much faster
 * than a strided slice. The padding is explicit so that the backend cannot
 * compute another output size than tfjs does (tfjs 4.22 sizes numeric
 * padding with the stride of the height for both axes).
 */
function pointwiseFilterGrad(
  scope: KernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  nchw: boolean,
  [sh, sw]: [number, number],
  [rows, cols]: [number, number][],
): tf.TensorInfo {
  if (nchw) {
    x = scope.transpose(x, [0, 2, 3, 1]);
    dy = scope.transpose(dy, [0, 2, 3, 1]);
  }
  const [b, oh, ow, co] = dy.shape as [number, number, number, number];
  const ci = x.shape[3] as number;
  // [b, (oh - 1)*sh + 1, (ow - 1)*sw + 1, ci]
  let visited = scope.padOrCrop(x, [[0, 0], rows, cols, [0, 0]]);
  if (sh > 1 || sw > 1) {
    const ones = new Float32Array(ci).fill(1);
    visited = scope.run(
      'DepthwiseConv2dNative',
      { x: visited, filter: scope.constant(ones, [1, 1, ci, 1], 'float32') },
      {
        strides: [sh, sw],
        pad: 'valid',
        dilations: [1, 1],
        dataFormat: 'NHWC',
      },
    );
  }
  const n = b * oh * ow;
  const xt = scope.transpose(scope.reshape(visited, [n, ci]), [1, 0]);
  const product = scope.run(
    'BatchMatMul',
    { a: scope.reshape(xt, [1, ci, n]), b: scope.reshape(dy, [1, n, co]) },
    { transposeA: false, transposeB: false },
  );
  return scope.reshape(product, [1, 1, ci, co]);
}

/**
 * A `Conv2DBackpropFilter` kernel function for `backendName`, built from
 * that backend's `Transpose`, `Conv2D`, `PadV2` and `Slice` kernels (and,
 * for 1x1 filters, `Reshape` and `BatchMatMul`).
 *
 * @param backendName - The backend whose kernels it runs.
 * @returns A kernel function to register for that backend.
 */
export function conv2DBackpropFilterKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
    return withKernelScope(
      WHERE,
      backendName,
      backend as tf.KernelBackend,
      (scope) =>
        conv2DBackpropFilterImpl(
          scope,
          x as tf.TensorInfo,
          dy as tf.TensorInfo,
          attrs as unknown as tf.Conv2DBackpropFilterAttrs,
        ),
    );
  };
}

/**
 * The kernel config of modalfuse's `Conv2DBackpropFilter` for
 * `backendName`, for callers who register kernels themselves.
 *
 * @param backendName - The backend to register it for.
 * @returns A config to pass to `tf.registerKernel`.
 */
export function conv2DBackpropFilterConfig(
  backendName: string,
): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName,
    kernelFunc: conv2DBackpropFilterKernel(backendName),
  };
}

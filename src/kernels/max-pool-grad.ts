/**
 * The gradient of 2D max pooling, built from a backend's own pad, reshape,
 * transpose, slice, pooling, arg-max, comparison, select, concat and
 * scatter kernels.
 *
 * It follows the cpu backend exactly: each window's gradient goes to the
 * first maximal element of the window in row-major window order (ties go
 * to the earliest), padding never wins, and overlapping windows add their
 * contributions. The wasm backend's own kernel (tfjs 4.22) differs twice:
 * among tied maxima it picks the last, and a window whose maximum is not
 * positive (all negative, or all zero as after a ReLU) sends its gradient
 * to the tensor's first element instead (so it is lost for every window
 * but the first).
 *
 * When the stride equals the window size (the usual 2x2 pooling) the
 * windows tile the input (padded with `-Infinity`): one transpose gathers
 * them as rows `[b*oh*ow*c, kh*kw]`, `ArgMax` picks each row's first
 * maximum, one `ScatterNd` writes `dy` there in a zero table of the same
 * shape, and one transpose puts that back in place.
 *
 * Otherwise (overlapping or gapped windows) the input is moved to
 * `[h, w, b*c]` and split by stride phase, so that element `(i, j)` of all
 * windows is one plain slice. Going through the `kh*kw` slices in
 * row-major order, `dy` goes to the first one equal to the window maximum
 * (from the backend's `MaxPool`) and is then used up; one `ScatterNd`,
 * which adds duplicate indices, sums the gradients into a `[h*w + 1, b*c]`
 * table whose extra row absorbs window elements in the padding.
 *
 * The layouts avoid what is slow on the wasm backend: strided slices,
 * broadcasting comparisons, and transposes or packs whose innermost axis
 * is short.
 *
 * Inputs with NaN are not supported: where a window holds NaN the element
 * that receives the gradient may differ from the cpu backend's choice.
 */
import * as tf from '@tensorflow/tfjs-core';

import { formatShape, ShapeError } from '../internal/errors';
import { type KernelScope, sizeOf, withKernelScope } from './kernel-scope';

const WHERE = 'MaxPoolGrad';

/**
 * For every window element `(i, j)` (row-major) and every window `(r, q)`,
 * in that order, the flat input position `row*w + col` it reads, or `h*w`
 * when it lies in the padding.
 */
export function windowPositions(info: tf.backend_util.Conv2DInfo): Int32Array {
  const { outHeight: oh, outWidth: ow, inHeight: h, inWidth: w } = info;
  const { filterHeight: kh, filterWidth: kw } = info;
  const { top, left } = info.padInfo;
  const positions = new Int32Array(kh * kw * oh * ow);
  let k = 0;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let r = 0; r < oh; r++) {
        const row = r * info.strideHeight - top + i;
        for (let q = 0; q < ow; q++) {
          const col = q * info.strideWidth - left + j;
          const inside = row >= 0 && row < h && col >= 0 && col < w;
          positions[k++] = inside ? row * w + col : h * w;
        }
      }
    }
  }
  return positions;
}

/**
 * Computes the max-pool input gradient on the scope's backend.
 *
 * @param scope - Scope whose backend runs the kernels and owns temporaries.
 * @param dy - Gradient of the pooled output, `[b, oh, ow, c]`.
 * @param x - The pooling's input, `[b, h, w, c]`.
 * @param attrs - The attributes of the `MaxPoolGrad` kernel.
 * @returns The input gradient, `[b, h, w, c]`, float32.
 * @throws ShapeError when `dy` does not have the pooled shape of `x`.
 */
export function maxPoolGradImpl(
  scope: KernelScope,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  attrs: tf.MaxPoolGradAttrs,
): tf.TensorInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const { outHeight: oh, outWidth: ow } = info;
  const expected = [b, oh, ow, c];
  if (dy.shape.length !== 4 || expected.some((d, i) => d !== dy.shape[i])) {
    throw new ShapeError(
      `${WHERE}: expected dy ${formatShape(expected)} for input ` +
        `${formatShape(x.shape)}, received ${formatShape(dy.shape)}`,
    );
  }
  if (sizeOf(x.shape) === 0 || sizeOf(dy.shape) === 0) {
    return scope.zeros([b, h, w, c]);
  }

  const { filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const xf = scope.cast(x, 'float32');
  if (sh === kh && sw === kw) {
    return tiledGrad(scope, xf, scope.cast(dy, 'float32'), info);
  }
  return overlappingGrad(scope, xf, scope.cast(dy, 'float32'), info);
}

/**
 * `[n * kk]` gradients of the window elements: `dy` at the first maximum
 * of each row of `windows` (`[n, kk]`), zero elsewhere.
 */
function firstMaxGrads(
  scope: KernelScope,
  windows: tf.TensorInfo,
  dy: tf.TensorInfo,
): tf.TensorInfo {
  const [n, kk] = windows.shape as [number, number];
  const first = scope.run('ArgMax', { x: windows }, { axis: 1 }); // [n]
  const rowStarts = new Int32Array(n);
  for (let i = 0; i < n; i++) rowStarts[i] = i * kk;
  const target = scope.run('Add', {
    a: first,
    b: scope.constant(rowStarts, [n], 'int32'),
  });
  return scope.run(
    'ScatterNd',
    {
      indices: scope.reshape(target, [n, 1]),
      updates: scope.reshape(dy, [n]),
    },
    { shape: [n * kk] },
  );
}

/** Stride equal to the window: windows tile the (framed) input. */
function tiledGrad(
  scope: KernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const { outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw } = info;
  const { top, left } = info.padInfo;

  // [b, oh*kh, ow*kw, c] starting at row -top, column -left.
  const framed = scope.padOrCrop(
    x,
    [
      [0, 0],
      [top, oh * kh - h - top],
      [left, ow * kw - w - left],
      [0, 0],
    ],
    -Infinity,
  );
  const split = scope.reshape(framed, [b, oh, kh, ow, kw, c]);
  const windows = scope.reshape(scope.transpose(split, [0, 1, 3, 5, 2, 4]), [
    b * oh * ow * c,
    kh * kw,
  ]);

  const grads = firstMaxGrads(scope, windows, dy);
  const back = scope.transpose(
    scope.reshape(grads, [b, oh, ow, c, kh, kw]),
    [0, 1, 4, 2, 5, 3],
  );
  return scope.padOrCrop(scope.reshape(back, [b, oh * kh, ow * kw, c]), [
    [0, 0],
    [-top, h + top - oh * kh],
    [-left, w + left - ow * kw],
    [0, 0],
  ]);
}

/**
 * Overlapping or gapped windows. The input is moved to `[h, w, b*c]`, so
 * that every window element `(i, j)` of all windows is one slice with long
 * contiguous rows (of a stride phase of the input). The backend's own
 * `MaxPool` gives the window maxima; `dy` goes to the first slice (in
 * row-major order) equal to the maximum and is then used up; one
 * `ScatterNd` adds every element's gradient to its input position.
 */
function overlappingGrad(
  scope: KernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const { outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const bc = b * c;

  // x framed with -Infinity to rows -top ... hq*sh - top (likewise for
  // columns): every window lies inside, and a 'valid' pooling of it has
  // exactly oh x ow windows on every backend.
  const hq = oh - 1 + Math.ceil(kh / sh);
  const wq = ow - 1 + Math.ceil(kw / sw);
  const framed = scope.padOrCrop(
    x,
    [
      [0, 0],
      [top, hq * sh - h - top],
      [left, wq * sw - w - left],
      [0, 0],
    ],
    -Infinity,
  );
  const pooled = scope.run(
    'MaxPool',
    { x: framed },
    { filterSize: [kh, kw], strides: [sh, sw], pad: 'valid' },
  );
  const maxima = scope.reshape(scope.transpose(pooled, [1, 2, 0, 3]), [
    oh,
    ow,
    bc,
  ]);

  // phases[(pc*sh + pr)*hq + u, v, :] = framed row u*sh + pr, column
  // v*sw + pc, as [b*c]. Two transposes of rank 3 instead of one of
  // rank 5, which the wasm backend runs slowly.
  const moved = scope.transpose(framed, [1, 2, 0, 3]);
  const byRow = scope.transpose(
    scope.reshape(moved, [hq, sh, wq * sw * bc]),
    [1, 0, 2],
  ); // [sh, hq, wq, sw, b*c]
  const phases = scope.reshape(
    scope.transpose(scope.reshape(byRow, [sh * hq * wq, sw, bc]), [1, 0, 2]),
    [sw * sh * hq, wq, bc],
  );

  // dy goes to the first element equal to the window maximum.
  let remaining = scope.reshape(scope.transpose(dy, [1, 2, 0, 3]), [
    oh,
    ow,
    bc,
  ]);
  const zeros = scope.zeros([oh, ow, bc]);
  const updates: tf.TensorInfo[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const phase = (j % sw) * sh + (i % sh);
      const begin = [phase * hq + Math.floor(i / sh), Math.floor(j / sw), 0];
      const element = scope.slice(phases, begin, [oh, ow, bc]);
      const isMax = scope.run('Equal', { a: element, b: maxima });
      const picked = scope.run('Select', {
        condition: isMax,
        t: remaining,
        e: zeros,
      });
      updates.push(scope.reshape(picked, [oh * ow, bc]));
      if (i < kh - 1 || j < kw - 1) {
        remaining = scope.run('Select', {
          condition: isMax,
          t: zeros,
          e: remaining,
        });
      }
    }
  }

  // Add the gradients to their input positions; padding lands in row h*w.
  const all = scope.run('Concat', updates, { axis: 0 });
  const indices = scope.constant(
    windowPositions(info),
    [kh * kw * oh * ow, 1],
    'int32',
  );
  const table = scope.run(
    'ScatterNd',
    { indices, updates: all },
    { shape: [h * w + 1, bc] },
  );
  const sums = scope.cropAxis(table, 0, 0, 1);
  return scope.transpose(scope.reshape(sums, [h, w, b, c]), [2, 0, 1, 3]);
}

/**
 * A `MaxPoolGrad` kernel function for `backendName`, built from that
 * backend's `PadV2`, `Slice`, `Reshape`, `Transpose`, `ArgMax`, `Add`,
 * `MaxPool`, `Equal`, `Select`, `Concat` and `ScatterNd` kernels.
 *
 * @param backendName - The backend whose kernels it runs.
 * @returns A kernel function to register for that backend.
 */
export function maxPoolGradKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as tf.MaxPoolGradInputs;
    return withKernelScope(
      WHERE,
      backendName,
      backend as tf.KernelBackend,
      (scope) =>
        maxPoolGradImpl(
          scope,
          dy as tf.TensorInfo,
          input as tf.TensorInfo,
          attrs as unknown as tf.MaxPoolGradAttrs,
        ),
    );
  };
}

/**
 * The kernel config of modalfuse's `MaxPoolGrad` for `backendName`, for
 * callers who register kernels themselves.
 *
 * @param backendName - The backend to register it for.
 * @returns A config to pass to `tf.registerKernel`.
 */
export function maxPoolGradConfig(backendName: string): tf.KernelConfig {
  return {
    kernelName: tf.MaxPoolGrad,
    backendName,
    kernelFunc: maxPoolGradKernel(backendName),
  };
}

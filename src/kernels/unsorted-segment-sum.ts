/**
 * `UnsortedSegmentSum` built from a backend's own comparison, select, fill,
 * reshape, scatter and slice kernels. It is the forward kernel behind the
 * gradient of `tf.gather`, so without it embeddings cannot train on a
 * backend that lacks it (wasm, tensorflow/tfjs#8082).
 *
 * `out[s, ...] = sum of x[k, ...] over every k with segmentIds[k] == s`.
 * Ids outside `[0, numSegments)` are dropped, as on the cpu backend: they
 * are first redirected to an extra segment `numSegments`. One `ScatterNd`
 * of the rows of `x` into a `[numSegments + 1, inner]` table, which sums
 * duplicate indices, then does all the work in time and memory linear in
 * the size of `x`; the extra row is sliced off.
 *
 * Segment ids of rank above 1 follow TensorFlow: they index the leading
 * `segmentIds.rank` axes of `x` together. (The cpu backend of tfjs 4.22
 * sums only over the first axis in that case.) The result keeps the dtype
 * of `x`, also for int32, where the cpu backend of tfjs 4.22 returns
 * float32 with the same values.
 */
import * as tf from '@tensorflow/tfjs-core';

import { describe, formatShape, ShapeError } from '../internal/errors';
import { type KernelScope, sizeOf, withKernelScope } from './kernel-scope';

const WHERE = 'UnsortedSegmentSum';

/**
 * Computes the segment sums on the scope's backend.
 *
 * @param scope - Scope whose backend runs the kernels and owns temporaries.
 * @param x - Data, `[...segmentIds.shape, ...inner]`, float32 or int32.
 * @param segmentIds - Segment of each leading element, int32.
 * @param numSegments - Number of segments in the result.
 * @returns The sums, `[numSegments, ...inner]`, in the dtype of `x`.
 * @throws TypeError for data that is neither float32 nor int32.
 * @throws ShapeError when `segmentIds.shape` is not a prefix of `x.shape`.
 */
export function unsortedSegmentSumImpl(
  scope: KernelScope,
  x: tf.TensorInfo,
  segmentIds: tf.TensorInfo,
  numSegments: number,
): tf.TensorInfo {
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new TypeError(
      `${WHERE}: expected x of dtype float32 or int32, received ` +
        `${describe(x.dtype)}`,
    );
  }
  const idsRank = segmentIds.shape.length;
  if (
    idsRank > x.shape.length ||
    segmentIds.shape.some((d, i) => d !== x.shape[i])
  ) {
    throw new ShapeError(
      `${WHERE}: expected segmentIds whose shape is a prefix of x's ` +
        `${formatShape(x.shape)}, received ${formatShape(segmentIds.shape)}`,
    );
  }
  const innerShape = x.shape.slice(idsRank);
  const inner = sizeOf(innerShape);
  const count = sizeOf(segmentIds.shape);
  if (count === 0 || inner === 0 || numSegments === 0) {
    return scope.zeros([numSegments, ...innerShape], x.dtype);
  }

  // Ids outside [0, numSegments) go to the spare segment numSegments.
  const ids = scope.reshape(scope.cast(segmentIds, 'int32'), [count]);
  const zero = scope.constant(new Int32Array([0]), [], 'int32');
  const limit = scope.constant(new Int32Array([numSegments]), [], 'int32');
  const valid = scope.run('LogicalAnd', {
    a: scope.run('GreaterEqual', { a: ids, b: zero }),
    b: scope.run('Less', { a: ids, b: limit }),
  });
  const spare = scope.run(
    'Fill',
    {},
    { shape: [count], value: numSegments, dtype: 'int32' },
  );
  const target = scope.run('Select', { condition: valid, t: ids, e: spare });

  // [numSegments + 1, inner]: sums of the rows of x by target segment.
  const table = scope.run(
    'ScatterNd',
    {
      indices: scope.reshape(target, [count, 1]),
      updates: scope.reshape(x, [count, inner]),
    },
    { shape: [numSegments + 1, inner] },
  );
  const sums = scope.slice(table, [0, 0], [numSegments, inner]);
  return scope.reshape(sums, [numSegments, ...innerShape]);
}

/**
 * An `UnsortedSegmentSum` kernel function for `backendName`, built from
 * that backend's `Cast`, `Reshape`, `GreaterEqual`, `Less`, `LogicalAnd`,
 * `Fill`, `Select`, `ScatterNd` and `Slice` kernels.
 *
 * @param backendName - The backend whose kernels it runs.
 * @returns A kernel function to register for that backend.
 */
export function unsortedSegmentSumKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as tf.UnsortedSegmentSumInputs;
    const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
    return withKernelScope(
      WHERE,
      backendName,
      backend as tf.KernelBackend,
      (scope) =>
        unsortedSegmentSumImpl(
          scope,
          x as tf.TensorInfo,
          segmentIds as tf.TensorInfo,
          numSegments,
        ),
    );
  };
}

/**
 * The kernel config of modalfuse's `UnsortedSegmentSum` for `backendName`,
 * for callers who register kernels themselves.
 *
 * @param backendName - The backend to register it for.
 * @returns A config to pass to `tf.registerKernel`.
 */
export function unsortedSegmentSumConfig(backendName: string): tf.KernelConfig {
  return {
    kernelName: tf.UnsortedSegmentSum,
    backendName,
    kernelFunc: unsortedSegmentSumKernel(backendName),
  };
}

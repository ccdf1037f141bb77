/**
 * Registers tfjs-core's chained tensor methods (`t.flatten()`, `t.add(b)`,
 * ...) when the loaded copy of tfjs-core does not have them.
 *
 * The Node entry of `@tensorflow/tfjs-core` leaves them out, while
 * tfjs-layers calls some of them internally; an LSTM with the orthogonal
 * initializer then fails with `rMat.flatten is not a function`
 * (tensorflow/tfjs#7721). `@tensorflow/tfjs` registers them itself; this
 * fills only the methods that are missing, so it is harmless there.
 */
import * as tf from '@tensorflow/tfjs-core';

type AnyOp = (...args: unknown[]) => tf.Tensor | tf.Tensor[];
type Proto = Record<string, unknown>;

/** Methods that are `op(this, ...args)` with the op of the same name. */
const SAME_NAME = (
  'abs acos acosh add all any argMax argMin asin asinh atan atan2 atanh ' +
  'avgPool batchToSpaceND batchNorm broadcastTo cast ceil clipByValue ' +
  'conv1d conv2d conv2dTranspose cos cosh cumprod cumsum depthToSpace ' +
  'depthwiseConv2d dilation2d div divNoNan dot elu equal erf euclideanNorm ' +
  'exp expandDims expm1 fft floor floorDiv gather greater greaterEqual ifft ' +
  'irfft isFinite isInf isNaN leakyRelu less lessEqual ' +
  'localResponseNormalization log log1p logSigmoid logSoftmax logSumExp ' +
  'logicalAnd logicalNot logicalOr logicalXor matMul max maxPool maximum ' +
  'mean min minimum mirrorPad mod mul neg norm notEqual oneHot onesLike pad ' +
  'pool pow prelu prod reciprocal relu relu6 reshape resizeBilinear ' +
  'resizeNearestNeighbor reverse rfft round rsqrt selu separableConv2d ' +
  'sigmoid sign sin sinh slice softmax softplus spaceToBatchND split sqrt ' +
  'square squaredDifference squeeze step stridedSlice sub sum tan tanh tile ' +
  'topk transpose unique unsortedSegmentSum unstack zerosLike'
).split(' ');

let registered = false;

/** Fills in missing chained methods on tfjs-core's Tensor class, once. */
export function ensureChainedOps(): void {
  if (registered) return;
  registered = true;
  const proto = tf.Tensor.prototype as unknown as Proto;
  const ops = tf as unknown as Record<string, AnyOp | undefined>;
  const define = (
    name: string,
    fn: (this: tf.Tensor, ...a: never[]) => unknown,
  ) => {
    if (typeof proto[name] !== 'function') proto[name] = fn;
  };

  for (const name of SAME_NAME) {
    const op = ops[name];
    if (typeof op !== 'function') continue;
    define(name, function (this: tf.Tensor, ...args: unknown[]) {
      return op(this, ...args);
    });
  }

  const reshapeTo = (t: tf.Tensor, shape: number[]) => tf.reshape(t, shape);
  define('flatten', function () {
    return reshapeTo(this, [this.size]);
  });
  define('as1D', function () {
    return reshapeTo(this, [this.size]);
  });
  define('asScalar', function () {
    return reshapeTo(this, []);
  });
  define('as2D', function (this: tf.Tensor, ...d: number[]) {
    return reshapeTo(this, d.slice(0, 2));
  } as never);
  define('as3D', function (this: tf.Tensor, ...d: number[]) {
    return reshapeTo(this, d.slice(0, 3));
  } as never);
  define('as4D', function (this: tf.Tensor, ...d: number[]) {
    return reshapeTo(this, d.slice(0, 4));
  } as never);
  define('as5D', function (this: tf.Tensor, ...d: number[]) {
    return reshapeTo(this, d.slice(0, 5));
  } as never);
  define('reshapeAs', function (this: tf.Tensor, other: tf.Tensor) {
    return reshapeTo(this, other.shape);
  } as never);
  define('asType', function (this: tf.Tensor, dtype: tf.DataType) {
    return tf.cast(this, dtype);
  } as never);
  define('toBool', function () {
    return tf.cast(this, 'bool');
  });
  define('toFloat', function () {
    return tf.cast(this, 'float32');
  });
  define('toInt', function () {
    return tf.cast(this, 'int32');
  });
  define('concat', function (
    this: tf.Tensor,
    x: tf.Tensor | tf.Tensor[],
    axis?: number,
  ) {
    return tf.concat([this, ...(Array.isArray(x) ? x : [x])], axis);
  } as never);
  define('stack', function (
    this: tf.Tensor,
    x: tf.Tensor | tf.Tensor[],
    axis?: number,
  ) {
    return tf.stack([this, ...(Array.isArray(x) ? x : [x])], axis);
  } as never);
  define('where', function (
    this: tf.Tensor,
    condition: tf.Tensor,
    x: tf.Tensor,
  ) {
    return tf.where(condition, this, x);
  } as never);
}

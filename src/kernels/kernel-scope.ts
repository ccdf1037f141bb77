/**
 * Runs a backend's own kernels on `TensorInfo`s and frees what they made.
 *
 * The gradient kernels of this folder are compositions of kernels that every
 * backend already has (reshape, pad, convolution, matrix product, ...). A
 * {@link KernelScope} looks those kernels up for one backend, runs them
 * directly (below the engine, so nothing is recorded on a gradient tape and
 * no `Tensor` objects are created), remembers every intermediate result and
 * disposes all of them except the one the composite kernel returns.
 *
 * Not part of the public API.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A tensor shape as a plain array of dimension sizes. */
export type Shape = number[];

/** Paddings per axis, `[before, after]`; negative numbers crop. */
export type Paddings = [number, number][];

/** A dtype that the composite kernels accept for their data inputs. */
export type NumericDType = 'float32' | 'int32';

/**
 * One invocation of a composite kernel: looks up, runs and frees the
 * backend's kernels it is made of.
 */
export class KernelScope {
  private readonly temps: tf.TensorInfo[] = [];

  /**
   * @param where - Name of the composite kernel, used in error messages.
   * @param backendName - Backend whose kernels are used, e.g. `'wasm'`.
   * @param backend - That backend's instance, as passed to a kernel.
   */
  constructor(
    readonly where: string,
    readonly backendName: string,
    readonly backend: tf.KernelBackend,
  ) {}

  /**
   * Runs the backend's kernel `kernelName` and tracks its output.
   *
   * @returns The first (usually only) output of the kernel.
   * @throws Error when the backend has no such kernel.
   */
  run(
    kernelName: string,
    inputs: tf.NamedTensorInfoMap | tf.TensorInfo[],
    attrs: object = {},
  ): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (kernel === undefined) {
      throw new Error(
        `${this.where}: expected backend '${this.backendName}' to have ` +
          `the kernel '${kernelName}', received none`,
      );
    }
    const out = kernel.kernelFunc({
      inputs: inputs as tf.NamedTensorInfoMap,
      backend: this.backend,
      attrs: attrs as tf.NamedAttrMap,
    });
    const outs = Array.isArray(out) ? out : [out];
    this.temps.push(...outs);
    return outs[0] as tf.TensorInfo;
  }

  /** Writes `values` to the backend as a new tracked tensor. */
  constant(
    values: Float32Array | Int32Array,
    shape: Shape,
    dtype: NumericDType,
  ): tf.TensorInfo {
    const dataId = this.backend.write(values, shape, dtype);
    const info: tf.TensorInfo = { dataId, shape, dtype };
    this.temps.push(info);
    return info;
  }

  /** A tracked tensor of `shape` filled with zeros. */
  zeros(shape: Shape, dtype: NumericDType = 'float32'): tf.TensorInfo {
    const size = sizeOf(shape);
    const values =
      dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
    return this.constant(values, shape, dtype);
  }

  /** Reshape kernel; shares data with `x` on the backends we target. */
  reshape(x: tf.TensorInfo, shape: Shape): tf.TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** Transpose kernel, skipped when `perm` is the identity. */
  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    if (perm.every((p, i) => p === i)) return x;
    return this.run('Transpose', { x }, { perm });
  }

  /** Slice kernel. */
  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  /** Cast kernel, skipped when `x` already has `dtype`. */
  cast(x: tf.TensorInfo, dtype: tf.DataType): tf.TensorInfo {
    if (x.dtype === dtype) return x;
    return this.run('Cast', { x }, { dtype });
  }

  /**
   * Pads each axis by `[before, after]` with `value`; negative amounts crop
   * that many elements instead. Returns `x` itself when nothing changes.
   */
  padOrCrop(x: tf.TensorInfo, paddings: Paddings, value = 0): tf.TensorInfo {
    const grow = paddings.map(([a, b]) => [Math.max(0, a), Math.max(0, b)]);
    let out = x;
    if (grow.some(([a, b]) => a > 0 || b > 0)) {
      out = this.run('PadV2', { x }, { paddings: grow, constantValue: value });
    }
    paddings.forEach(([a, b], axis) => {
      if (a < 0 || b < 0) {
        out = this.cropAxis(out, axis, Math.max(0, -a), Math.max(0, -b));
      }
    });
    return out;
  }

  /**
   * Drops `before` and `after` elements of one axis. The slice runs on a
   * 2D view `[outer, size * inner]`, so it copies long contiguous runs (the
   * wasm backend's slice copies one innermost run at a time).
   */
  cropAxis(
    x: tf.TensorInfo,
    axis: number,
    before: number,
    after: number,
  ): tf.TensorInfo {
    const outer = sizeOf(x.shape.slice(0, axis));
    const inner = sizeOf(x.shape.slice(axis + 1));
    const kept = (x.shape[axis] as number) - before - after;
    const view = this.reshape(x, [outer, (x.shape[axis] as number) * inner]);
    const cut = this.slice(view, [0, before * inner], [outer, kept * inner]);
    const shape = [...x.shape];
    shape[axis] = kept;
    return this.reshape(cut, shape);
  }

  /**
   * Stops tracking `x`, so {@link KernelScope.dispose} keeps it. When `x`
   * was not made in this scope (an input passed through unchanged), keeps
   * a fresh identity of it instead, because a kernel must return data of
   * its own.
   */
  keep(x: tf.TensorInfo): tf.TensorInfo {
    const at = this.temps.lastIndexOf(x);
    if (at < 0) return this.keep(this.run('Identity', { x }));
    this.temps.splice(at, 1);
    return x;
  }

  /** Frees every tracked intermediate. */
  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/**
 * Runs `body` in a fresh {@link KernelScope} and frees all intermediates,
 * also when `body` throws; the returned tensor survives.
 *
 * @param where - Name of the composite kernel, for error messages.
 * @param backendName - Backend whose kernels are used.
 * @param backend - That backend's instance.
 * @param body - Builds the result from the scope's kernels.
 * @returns What `body` returned.
 */
export function withKernelScope(
  where: string,
  backendName: string,
  backend: tf.KernelBackend,
  body: (scope: KernelScope) => tf.TensorInfo,
): tf.TensorInfo {
  const scope = new KernelScope(where, backendName, backend);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.dispose();
  }
}

/** Product of the dimensions of `shape`. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

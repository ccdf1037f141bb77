/**
 * The output side of `OnnxEncoder`: checking each batch's dims, the shape
 * of an output of 0 rows, and pooling a sequence output.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';

import { ShapeError, formatShape } from '../internal/errors';
import type { OnnxSessionLike } from './onnx-runtime';

/**
 * What the output helpers read of an `OnnxEncoder`.
 *
 * @internal
 */
export interface OnnxOutputSpec {
  /** The session, for its input and output metadata. */
  readonly session: OnnxSessionLike;
  /** The output returned. */
  readonly output: string;
  /** Pooling of a sequence output. */
  readonly pooling: 'none' | 'mean' | 'first';
  /** Feed name of the pooling mask. */
  readonly maskFeed: string;
}

/**
 * Throws unless a batch's output has its rows and the earlier dims.
 *
 * @internal
 */
export function checkBatchDims(
  spec: OnnxOutputSpec,
  where: string,
  dims: number[],
  size: number,
  start: number,
  earlier: number[],
): void {
  if (dims[0] !== size) {
    throw new ShapeError(
      `${where}: expected output '${spec.output}' to have ${size} rows ` +
        `(the rows fed), received dims ${formatShape(dims)}`,
    );
  }
  const rest = dims.slice(1);
  const same =
    rest.length === earlier.length && rest.every((d, i) => d === earlier[i]);
  if (start > 0 && !same) {
    throw new ShapeError(
      `${where}: expected output '${spec.output}' to have the same dims ` +
        `after the rows in every batch, received ${formatShape(dims)} for ` +
        `rows from ${start} after ${formatShape([null, ...earlier])}`,
    );
  }
}

/**
 * Shape of the output for 0 rows, from the session's output metadata;
 * a symbolic dim takes the size of the same dim of an input's feed.
 *
 * @internal
 */
export function emptyOutputShape(
  spec: OnnxOutputSpec,
  where: string,
  arrays: { byInput: Record<string, { shape: number[] }> },
): number[] {
  const meta = spec.session.outputMetadata?.find((m) => m.name === spec.output);
  const declared = meta?.isTensor ? (meta.shape ?? []) : [];
  const resolve = (dim: number | string): number | null => {
    if (typeof dim === 'number') {
      return Number.isInteger(dim) && dim >= 0 ? dim : null;
    }
    if (dim === '') return null;
    for (const input of spec.session.inputMetadata ?? []) {
      const k = (input.shape ?? []).indexOf(dim);
      const fed = k >= 0 ? arrays.byInput[input.name]?.shape[k] : undefined;
      if (fed !== undefined) return fed;
    }
    return null;
  };
  const dims = declared.slice(1).map(resolve);

  // Pooling keeps only d of [rows, time, d]: time may stay unknown.
  const needed =
    spec.pooling !== 'none' && dims.length === 2 ? dims.slice(1) : dims;
  if (declared.length === 0 || needed.includes(null)) {
    const known = declared.length ? `[${declared.join(',')}]` : 'no shape';
    throw new RangeError(
      `${where}: received 0 rows, and the dims of output ` +
        `'${spec.output}' cannot be inferred from the session's ` +
        `outputMetadata (${known}); pass at least one row`,
    );
  }
  return [0, ...dims.map((d) => d ?? 0)];
}

/**
 * The output as a tensor: as it is, or a `[rows, time, d]` output pooled
 * to `[rows, d]` over the masked or the first positions.
 *
 * @internal
 */
export function poolOutput(
  spec: OnnxOutputSpec,
  where: string,
  values: Float32Array,
  shape: number[],
  mask: { values: Float64Array; shape: number[] } | null,
): tf.Tensor {
  if (spec.pooling === 'none') return tf.tensor(values, shape, 'float32');
  const [rows, time, d] = shape as [number, number, number];
  if (shape.length !== 3) {
    throw new ShapeError(
      `${where}: pooling '${spec.pooling}' expects output '${spec.output}' ` +
        `of rank 3 [rows, time, d], received shape ${formatShape(shape)}`,
    );
  }
  const fits =
    mask === null ||
    (mask.shape[0] === rows && (rows === 0 || mask.shape[1] === time));
  if (!fits) {
    throw new ShapeError(
      `${where}: expected the mask '${spec.maskFeed}' of shape ` +
        `${formatShape([rows, time])}, received ${formatShape(mask.shape)}`,
    );
  }
  const out = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) {
    let count = 0;
    for (let t = 0; t < time; t++) {
      const use =
        spec.pooling === 'first' ? t === 0 : mask!.values[r * time + t] !== 0;
      if (!use) continue;
      count++;
      for (let j = 0; j < d; j++) {
        out[r * d + j] += values[(r * time + t) * d + j] as number;
      }
    }
    for (let j = 0; j < d; j++) out[r * d + j] /= Math.max(count, 1);
  }
  return tf.tensor2d(out, [rows, d]);
}

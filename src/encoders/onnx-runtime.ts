/**
 * The onnxruntime side of `OnnxEncoder`: structural types of
 * sessions and tensors (so that no onnxruntime package is imported and no
 * `instanceof` is used on its tensors) and the conversions between them
 * and plain arrays.
 */
import * as tf from '@tensorflow/tfjs-core';

import { ShapeError, describe, formatShape } from '../internal/errors';

/**
 * The part of an onnxruntime tensor that modalfuse reads. Tensors are
 * recognised by these fields, never with `instanceof`, so tensors of any
 * copy of onnxruntime-common work.
 */
export interface OnnxTensorLike {
  /** Element type, e.g. `'float32'` or `'int64'`. */
  readonly type: string;
  /** The elements, row-major. */
  readonly data: unknown;
  /** The shape. */
  readonly dims: readonly number[];
}

/** Metadata of one model input, as onnxruntime-common 1.21+ reports it. */
export interface OnnxValueMetadataLike {
  /** Input name. */
  readonly name: string;
  /** Whether it is a tensor. */
  readonly isTensor: boolean;
  /** Element type of a tensor input. */
  readonly type?: string;
  /**
   * Shape of a tensor: numbers for fixed dims, names for symbolic ones
   * (`'batch'`, `'sequence'`); empty when unknown.
   */
  readonly shape?: readonly (number | string)[];
}

/**
 * The part of an `InferenceSession` (onnxruntime-node, onnxruntime-web or
 * onnxruntime-react-native) that `OnnxEncoder` uses.
 */
export interface OnnxSessionLike {
  /** Names of the model's inputs. */
  readonly inputNames: readonly string[];
  /** Names of the model's outputs. */
  readonly outputNames: readonly string[];
  /** Input metadata, with element types. */
  readonly inputMetadata?: readonly OnnxValueMetadataLike[];
  /** Output metadata, with shapes (read to shape an output of 0 rows). */
  readonly outputMetadata?: readonly OnnxValueMetadataLike[];
  /** Runs the model on named feeds. */
  run(feeds: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** The `Tensor` class of the onnxruntime package the session came from. */
export type OnnxTensorConstructor = new (
  type: 'float32' | 'int32' | 'int64',
  data: Float32Array | Int32Array | BigInt64Array,
  dims: readonly number[],
) => unknown;

/** Element types that `OnnxEncoder` can feed. */
export type OnnxInputType = 'float32' | 'int32' | 'int64';

/** A feed: a tfjs tensor, or row-major values with their shape. */
export type OnnxFeed =
  | tf.Tensor
  | {
      /** Row-major values. */
      values: ArrayLike<number>;
      /** Their shape. */
      shape: readonly number[];
    };

let commonTensor: OnnxTensorConstructor | undefined;

/**
 * `Tensor` of onnxruntime-common (an optional peer dependency), imported
 * on first use.
 *
 * @internal
 */
export async function defaultTensorClass(): Promise<OnnxTensorConstructor> {
  if (commonTensor) return commonTensor;
  try {
    // A computed specifier, so bundlers do not try to resolve this optional
    // peer dependency; in browsers pass `tensor` instead.
    const name = ['onnxruntime', 'common'].join('-');
    const module = (await import(
      /* webpackIgnore: true */ /* @vite-ignore */ name
    )) as {
      Tensor: unknown;
    };
    commonTensor = module.Tensor as OnnxTensorConstructor;
    return commonTensor;
  } catch (error) {
    throw new Error(
      `OnnxEncoder: no tensor class was given and onnxruntime-common ` +
        `cannot be imported (${(error as Error).message}); pass ` +
        `tensor: ort.Tensor from your onnxruntime package`,
    );
  }
}

/**
 * Element type fed to a model input: the override, else the session's
 * metadata, else int64.
 *
 * @internal
 */
export function inputType(
  where: string,
  session: OnnxSessionLike,
  name: string,
  overrides: Record<string, OnnxInputType> | undefined,
): OnnxInputType {
  const given = overrides?.[name];
  const meta = session.inputMetadata?.find((m) => m.name === name);
  const type = given ?? (meta?.isTensor ? meta.type : undefined) ?? 'int64';
  if (type !== 'float32' && type !== 'int32' && type !== 'int64') {
    throw new TypeError(
      `${where}: input '${name}' has element type '${type}'; OnnxEncoder ` +
        `feeds float32, int32 and int64 inputs`,
    );
  }
  return type;
}

/**
 * A feed as float64 values and its shape, checked: a tfjs tensor or
 * `{ values, shape }` of rank >= 1 whose values fill the shape.
 *
 * @internal
 */
export function feedValues(
  where: string,
  name: string,
  feed: unknown,
): {
  values: Float64Array;
  shape: number[];
} {
  if (feed instanceof tf.Tensor) {
    checkFeedRank(where, name, feed.shape);
    return {
      values: Float64Array.from(feed.dataSync() as ArrayLike<number>),
      shape: [...feed.shape],
    };
  }
  const plain = feed as { values?: unknown; shape?: unknown } | null;
  const ok =
    plain !== null &&
    typeof plain === 'object' &&
    !Array.isArray(plain) &&
    Array.isArray(plain.shape) &&
    (Array.isArray(plain.values) ||
      (ArrayBuffer.isView(plain.values) &&
        !(plain.values instanceof DataView)));
  if (!ok) {
    throw new TypeError(
      `${where}: expected feed '${name}' to be a tf.Tensor or ` +
        `{ values, shape } (row-major values and their shape), received ` +
        describe(feed),
    );
  }
  const shape = [...(plain.shape as unknown[])] as number[];
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(
      `${where}: expected feed '${name}' to have a shape of integers >= 0, ` +
        `received [${shape.map((d) => describe(d)).join(',')}]`,
    );
  }
  checkFeedRank(where, name, shape);
  const values = plain.values as ArrayLike<number>;
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) {
    throw new ShapeError(
      `${where}: expected ${size} values for feed '${name}' of shape ` +
        `${formatShape(shape)}, received ${values.length}`,
    );
  }
  return { values: Float64Array.from(values), shape };
}

function checkFeedRank(
  where: string,
  name: string,
  shape: readonly number[],
): void {
  if (shape.length < 1) {
    throw new ShapeError(
      `${where}: expected feed '${name}' of rank >= 1 ([rows, ...]), ` +
        `received shape ${formatShape(shape)}`,
    );
  }
}

/**
 * Throws unless every value of a feed for an integer input is an integer
 * the input's type holds, naming the first bad one.
 *
 * @internal
 */
export function checkIntegerFeed(
  where: string,
  feedName: string,
  input: string,
  type: OnnxInputType,
  values: Float64Array,
): void {
  if (type === 'float32') return;
  const lo = type === 'int32' ? -(2 ** 31) : Number.MIN_SAFE_INTEGER;
  const hi = type === 'int32' ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isInteger(v) && v >= lo && v <= hi) continue;
    throw new RangeError(
      `${where}: expected integers in [${lo}, ${hi}] in feed ` +
        `'${feedName}' for the ${type} input '${input}', received ${v} at ` +
        `flat index ${i}; values are never rounded`,
    );
  }
}

/**
 * An output tensor's values as float32, read by its fields, with dims
 * that are integers >= 0 of rank >= 1 and match the number of values.
 *
 * @internal
 */
export function readOutput(
  where: string,
  value: unknown,
  name: string,
): { values: Float32Array; dims: number[] } {
  const t = value as Partial<OnnxTensorLike> | undefined;
  const numeric = ['float32', 'float64', 'int32', 'int64', 'int8', 'uint8'];
  if (
    !t ||
    !Array.isArray(t.dims) ||
    typeof t.type !== 'string' ||
    !numeric.includes(t.type) ||
    !ArrayBuffer.isView(t.data)
  ) {
    throw new TypeError(
      `${where}: expected output '${name}' to be a numeric tensor ` +
        `(${numeric.join(', ')}), received ${describe(value)}` +
        (t && typeof t.type === 'string' ? ` of type '${t.type}'` : ''),
    );
  }
  const dims = [...t.dims];
  const data = t.data as unknown as ArrayLike<number | bigint>;
  const validDims =
    dims.length >= 1 && dims.every((d) => Number.isInteger(d) && d >= 0);
  if (!validDims) {
    throw new ShapeError(
      `${where}: expected output '${name}' to have dims of rank >= 1 of ` +
        `integers >= 0, received dims [${dims.join(',')}]`,
    );
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new ShapeError(
      `${where}: expected output '${name}' with dims ${formatShape(dims)} ` +
        `to hold ${size} values, received ${data.length}`,
    );
  }
  return {
    values: Float32Array.from({ length: data.length }, (_, i) =>
      Number(data[i]),
    ),
    dims,
  };
}

/**
 * Joins float32 chunks.
 *
 * @internal
 */
export function concatenate(parts: Float32Array[]): Float32Array {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

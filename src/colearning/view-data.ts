/**
 * Helpers for the inputs of one view: counting, gathering and joining
 * samples while keeping the structure (tensor, array or record) a model
 * expects.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';

import { ShapeError } from '../internal/errors';
import type { ModelInputs } from '../model/model-inputs';

/** The tensors of view inputs, records in sorted key order. */
export function tensorsOf(inputs: ModelInputs): tf.Tensor[] {
  if (inputs instanceof tf.Tensor) return [inputs];
  if (Array.isArray(inputs)) return inputs;
  return Object.keys(inputs)
    .sort()
    .map((k) => inputs[k] as tf.Tensor);
}

/**
 * The number of samples of view inputs.
 *
 * @throws TypeError when the inputs hold no tensor; ShapeError when their
 *   tensors disagree on the number of samples.
 */
export function countSamples(where: string, name: string, inputs: unknown) {
  const isInputs =
    inputs instanceof tf.Tensor ||
    (Array.isArray(inputs) && inputs.every((t) => t instanceof tf.Tensor)) ||
    (typeof inputs === 'object' &&
      inputs !== null &&
      !Array.isArray(inputs) &&
      Object.values(inputs).every((t) => t instanceof tf.Tensor));
  const list = isInputs ? tensorsOf(inputs as ModelInputs) : [];
  if (list.length === 0) {
    throw new TypeError(
      `${where}: expected ${name} to be a tensor, an array of tensors or a ` +
        `record of tensors, received ${describeInputs(inputs)}`,
    );
  }
  const counts = list.map((t) => t.shape[0] ?? 0);
  if (counts.some((c) => c !== counts[0])) {
    throw new ShapeError(
      `${where}: expected every tensor of ${name} to have the same number ` +
        `of samples, received [${counts.join(', ')}]`,
    );
  }
  return counts[0] as number;
}

/** The same structure with `fn` applied to each tensor. */
export function mapInputs(
  inputs: ModelInputs,
  fn: (t: tf.Tensor) => tf.Tensor,
): ModelInputs {
  if (inputs instanceof tf.Tensor) return fn(inputs);
  if (Array.isArray(inputs)) return inputs.map(fn);
  const out: Record<string, tf.Tensor> = {};
  for (const key of Object.keys(inputs).sort()) {
    out[key] = fn(inputs[key] as tf.Tensor);
  }
  return out;
}

/**
 * The samples `indices` of `inputs`, appended to all of `base` (new
 * tensors in the structure of `base`; the caller disposes them).
 */
export function appendSamples(
  base: ModelInputs,
  extra: ModelInputs,
  indices: readonly number[],
): ModelInputs {
  const extraList = tensorsOf(extra);
  const baseList = tensorsOf(base);
  const joined = baseList.map((b, i) =>
    tf.tidy(() => {
      if (indices.length === 0) return tf.clone(b);
      const picked = tf.gather(
        extraList[i] as tf.Tensor,
        tf.tensor1d(indices as number[], 'int32'),
      );
      return tf.concat([b, picked], 0);
    }),
  );
  let i = 0;
  return mapInputs(base, () => joined[i++] as tf.Tensor);
}

/** The samples `indices` of `inputs` (new tensors; the caller disposes). */
export function gatherSamples(
  inputs: ModelInputs,
  indices: readonly number[],
): ModelInputs {
  return mapInputs(inputs, (t) =>
    tf.tidy(() => tf.gather(t, tf.tensor1d(indices as number[], 'int32'))),
  );
}

/** Every tensor of view inputs as `[n, features]`, joined by columns. */
export function flattenFeatures(inputs: ModelInputs): tf.Tensor2D {
  return tf.tidy(() => {
    const parts = tensorsOf(inputs).map((t) =>
      tf.reshape(tf.cast(t, 'float32'), [t.shape[0] as number, -1]),
    );
    return (parts.length === 1 ? parts[0] : tf.concat(parts, 1)) as tf.Tensor2D;
  });
}

/** Disposes every tensor of view inputs. */
export function disposeInputs(inputs: ModelInputs): void {
  tf.dispose(tensorsOf(inputs));
}

function describeInputs(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty record' : 'a record of non-tensors';
  }
  return typeof value;
}

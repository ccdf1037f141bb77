/**
 * Feeding records keyed by modality name to tfjs models.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertInteger } from '../internal/assert';
import { ShapeError, formatShape } from '../internal/errors';

/** Model inputs: one tensor, an array in input order, or a named record. */
export type ModelInputs = tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>;

/**
 * Orders model inputs the way the model expects them.
 *
 * @param model - The model; a record is matched to `model.inputNames`.
 * @param inputs - A tensor, an array in input order, or a record keyed by
 *   input name (extra keys are rejected, so a typo cannot go unnoticed).
 * @returns The tensors in `model.inputNames` order (not copies).
 * @throws TypeError when record keys and input names differ; ShapeError when
 *   the batch sizes of the inputs differ.
 */
export function orderInputs(
  model: tfl.LayersModel,
  inputs: ModelInputs,
): tf.Tensor[] {
  let list: tf.Tensor[];
  if (inputs instanceof tf.Tensor) list = [inputs];
  else if (Array.isArray(inputs)) list = inputs;
  else {
    const keys = Object.keys(inputs).sort();
    const expected = [...model.inputNames].sort();
    if (keys.join('\u0000') !== expected.join('\u0000')) {
      throw new TypeError(
        `orderInputs: model '${model.name}' expects inputs ` +
          `[${expected.join(', ')}], received [${keys.join(', ')}]`,
      );
    }
    list = model.inputNames.map((n) => inputs[n] as tf.Tensor);
  }
  if (list.length !== model.inputNames.length) {
    throw new TypeError(
      `orderInputs: model '${model.name}' expects ` +
        `${model.inputNames.length} inputs [${model.inputNames.join(', ')}], ` +
        `received ${list.length}`,
    );
  }
  const batch = list[0]?.shape[0];
  if (list.some((t) => t.shape[0] !== batch)) {
    throw new ShapeError(
      `orderInputs: expected every input of model '${model.name}' to have ` +
        `the same batch size, received ` +
        list.map((t, i) => `${model.inputNames[i]}: ${t.shape[0]}`).join(', '),
    );
  }
  return list;
}

/** Number of samples in model inputs. */
export function sampleCount(inputs: ModelInputs): number {
  if (inputs instanceof tf.Tensor) return inputs.shape[0] as number;
  const first = Array.isArray(inputs) ? inputs[0] : Object.values(inputs)[0];
  return (first?.shape[0] as number | undefined) ?? 0;
}

/**
 * Predicts in chunks, so memory stays bounded on large inputs, and joins the
 * chunks. For a model with several outputs, each output is joined.
 *
 * @param model - The model.
 * @param inputs - See {@link orderInputs}.
 * @param options - `batchSize` of each chunk.
 * @returns The prediction (one tensor per model output).
 */
export function predictBatched(
  model: tfl.LayersModel,
  inputs: ModelInputs,
  { batchSize = 256 }: { batchSize?: number } = {},
): tf.Tensor | tf.Tensor[] {
  assertInteger('predictBatched', 'batchSize', batchSize, 1);
  const list = orderInputs(model, inputs);
  const n = list[0]?.shape[0] as number;
  if (!(n > 0)) {
    throw new ShapeError(
      `predictBatched: expected at least one sample, received inputs of ` +
        `shapes ${list.map((t) => formatShape(t.shape)).join(', ')}`,
    );
  }
  const chunks: tf.Tensor[][] = [];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const out = tf.tidy(() => {
      const part = list.map((t) =>
        tf.slice(t, [start], [size, ...t.shape.slice(1).map(() => -1)]),
      );
      const y = model.predict(part.length === 1 ? part[0]! : part);
      return Array.isArray(y) ? y : [y];
    });
    chunks.push(out);
  }
  const outputs = model.outputs.length;
  const joined = Array.from({ length: outputs }, (_, o) => {
    const parts = chunks.map((c) => c[o] as tf.Tensor);
    const result = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
    if (parts.length > 1) parts.forEach((p) => p.dispose());
    return result;
  });
  return outputs === 1 ? (joined[0] as tf.Tensor) : joined;
}

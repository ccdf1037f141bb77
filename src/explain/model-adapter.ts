/**
 * How explainers see a model: named inputs with per-sample shapes, and
 * batched predictions flattened to one row of outputs per sample.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { ShapeError, describe, formatShape } from '../internal/errors';
import { evaluateGraph } from './graph';

/** Inputs to explain: one tensor, or a record keyed by input name. */
export type ExplainInputs = tf.Tensor | Record<string, tf.Tensor>;

/**
 * A batched prediction function: it receives the inputs in the form the
 * explainer was given them (a tensor, or a record keyed by input name) with
 * many rows, and returns one tensor `[rows]` or `[rows, outputs]` (or a list
 * of them, joined along the last axis). The explainer disposes what it
 * returns.
 */
export type PredictFunction = (
  inputs: ExplainInputs,
) => tf.Tensor | tf.Tensor[] | Promise<tf.Tensor | tf.Tensor[]>;

/** What an explainer explains: a tfjs-layers model or a function. */
export type Explainable = tfl.LayersModel | PredictFunction;

/** One input as the explainers see it. */
export interface InputSpec {
  /** Input name (`'input'` for a bare tensor given to a function). */
  name: string;
  /** Shape of one sample, without the batch axis. */
  shape: number[];
  /** Elements per sample. */
  size: number;
  /** Data type. */
  dtype: tf.DataType;
}

/** The inputs of an explanation, in sorted name order. */
export interface InputLayout {
  /** Inputs in sorted name order. */
  inputs: InputSpec[];
  /** True when the caller passed a bare tensor rather than a record. */
  bare: boolean;
}

/** Inputs checked against the model, with their layout and batch size. */
export interface ResolvedInputs {
  /** The layout. */
  layout: InputLayout;
  /** The tensors by name (the caller's, not copies). */
  tensors: Record<string, tf.Tensor>;
  /** Batch size. */
  rows: number;
}

/**
 * Checks inputs against a model and describes them.
 *
 * @param where - The calling function, for messages.
 * @param model - The model or prediction function.
 * @param inputs - A tensor or a record keyed by input name.
 * @returns The layout, the tensors by name and the batch size.
 * @throws TypeError when names differ from the model's inputs; ShapeError
 *   when batch sizes differ or an input has no batch axis.
 */
export function resolveInputs(
  where: string,
  model: Explainable,
  inputs: ExplainInputs,
): ResolvedInputs {
  const bare = inputs instanceof tf.Tensor;
  let tensors: Record<string, tf.Tensor>;
  if (model instanceof tfl.LayersModel) {
    const names = [...model.inputNames].sort();
    if (bare) {
      if (names.length !== 1) {
        throw new TypeError(
          `${where}: model '${model.name}' has inputs [${names.join(', ')}]; ` +
            `pass a record keyed by input name, received one tensor`,
        );
      }
      tensors = { [names[0] as string]: inputs };
    } else {
      const keys = Object.keys(inputs).sort();
      if (keys.join('\u0000') !== names.join('\u0000')) {
        throw new TypeError(
          `${where}: model '${model.name}' expects inputs ` +
            `[${names.join(', ')}], received [${keys.join(', ')}]`,
        );
      }
      tensors = inputs;
    }
  } else if (typeof model === 'function') {
    tensors = bare ? { input: inputs } : inputs;
  } else {
    throw new TypeError(
      `${where}: expected a tf.LayersModel or a prediction function, ` +
        `received ${describe(model)}`,
    );
  }
  const names = Object.keys(tensors).sort();
  if (names.length === 0) {
    throw new TypeError(`${where}: expected at least one input, received none`);
  }
  const specs = names.map((name) => {
    const t = tensors[name];
    if (!(t instanceof tf.Tensor) || t.rank < 1) {
      throw new ShapeError(
        `${where}: expected input '${name}' to be a tensor with a batch ` +
          `axis, received ` +
          (t instanceof tf.Tensor ? formatShape(t.shape) : describe(t)),
      );
    }
    const shape = t.shape.slice(1);
    return {
      name,
      shape,
      size: shape.reduce((a, b) => a * b, 1),
      dtype: t.dtype,
    };
  });
  const rows = tensors[names[0] as string]!.shape[0] as number;
  const bad = names.find((n) => tensors[n]!.shape[0] !== rows);
  if (bad !== undefined) {
    throw new ShapeError(
      `${where}: expected every input to have the same batch size, ` +
        `received ` +
        names.map((n) => `${n}: ${tensors[n]!.shape[0]}`).join(', '),
    );
  }
  return { layout: { inputs: specs, bare }, tensors, rows };
}

/**
 * Checks that other inputs (a background, a baseline) match a layout in
 * names and per-sample shapes.
 *
 * @returns The tensors by name and their batch size.
 */
export function matchLayout(
  where: string,
  what: string,
  layout: InputLayout,
  inputs: ExplainInputs,
): { tensors: Record<string, tf.Tensor>; rows: number } {
  const tensors: Record<string, tf.Tensor> =
    inputs instanceof tf.Tensor
      ? layout.inputs.length === 1
        ? { [layout.inputs[0]!.name]: inputs }
        : {}
      : inputs;
  const keys = Object.keys(tensors).sort();
  const names = layout.inputs.map((s) => s.name);
  if (keys.join('\u0000') !== names.join('\u0000')) {
    throw new TypeError(
      `${where}: expected ${what} with inputs [${names.join(', ')}], ` +
        `received [${keys.join(', ')}]`,
    );
  }
  let rows = -1;
  for (const spec of layout.inputs) {
    const t = tensors[spec.name] as tf.Tensor;
    const shape = t.shape.slice(1);
    if (formatShape(shape) !== formatShape(spec.shape)) {
      throw new ShapeError(
        `${where}: expected ${what} '${spec.name}' of shape ` +
          `${formatShape([null, ...spec.shape])}, received ` +
          formatShape(t.shape),
      );
    }
    if (rows >= 0 && t.shape[0] !== rows) {
      throw new ShapeError(
        `${where}: expected every input of ${what} to have the same batch ` +
          `size, received ${rows} and ${t.shape[0]} ('${spec.name}')`,
      );
    }
    rows = t.shape[0] as number;
  }
  return { tensors, rows };
}

/** Options of {@link ModelRunner}. */
export interface RunnerOptions {
  /**
   * Evaluate a tfjs-layers model layer by layer when some inputs are the
   * same for every row, so the branches that see only those inputs run
   * once instead of once per row. @defaultValue true
   */
  foldConstants?: boolean;
}

/**
 * Runs a model on rows and returns its outputs as one flat row per sample.
 */
export class ModelRunner {
  /** Outputs per row (all model outputs joined), known after a call. */
  outputs = -1;
  /** Number of prediction calls so far. */
  calls = 0;
  /** Number of rows predicted so far. */
  rows = 0;

  private readonly fold: boolean;

  /**
   * @param where - The explainer, for messages.
   * @param model - The model or function.
   * @param layout - The inputs' layout.
   * @param options - See {@link RunnerOptions}.
   */
  constructor(
    private readonly where: string,
    private readonly model: Explainable,
    private readonly layout: InputLayout,
    options: RunnerOptions = {},
  ) {
    this.fold = options.foldConstants ?? true;
  }

  /**
   * Predicts rows. Inputs with batch size 1 while others have more rows are
   * constants shared by every row.
   *
   * @param inputs - Tensors by input name; the runner does not dispose them.
   * @returns `[rows, outputs]` row-major.
   * @throws ShapeError when the model's output does not have one row per
   *   input row.
   */
  async run(inputs: Record<string, tf.Tensor>): Promise<Float32Array> {
    const specs = this.layout.inputs;
    const rows = Math.max(...specs.map((s) => inputs[s.name]!.shape[0]!));
    const constant = specs.some((s) => inputs[s.name]!.shape[0] !== rows);
    let out: tf.Tensor[];
    if (this.model instanceof tfl.LayersModel) {
      const model = this.model;
      out = tf.tidy(() => {
        if (constant && this.fold) {
          const feeds = new Map<number, tf.Tensor>();
          model.inputs.forEach((st, i) => {
            feeds.set(st.id, inputs[model.inputNames[i] as string]!);
          });
          return evaluateGraph(model.outputs, feeds);
        }
        const list = model.inputNames.map((n) => broadcast(inputs[n]!, rows));
        const y = model.predict(list.length === 1 ? list[0]! : list, {
          batchSize: rows,
        });
        return Array.isArray(y) ? y : [y];
      });
    } else {
      const full: Record<string, tf.Tensor> = {};
      const made: tf.Tensor[] = [];
      for (const s of specs) {
        const t = inputs[s.name]!;
        full[s.name] = t.shape[0] === rows ? t : broadcast(t, rows);
        if (full[s.name] !== t) made.push(full[s.name]!);
      }
      try {
        const arg = this.layout.bare ? full[specs[0]!.name]! : full;
        const y = await this.model(arg);
        out = Array.isArray(y) ? y : [y];
      } finally {
        tf.dispose(made);
      }
    }
    return this.collect(out, rows);
  }

  private async collect(out: tf.Tensor[], rows: number): Promise<Float32Array> {
    const notTensor = out.find((t) => !(t instanceof tf.Tensor));
    if (notTensor !== undefined) {
      tf.dispose(out.filter((t) => t instanceof tf.Tensor));
      throw new TypeError(
        `${this.where}: expected the model to return a tensor or a list of ` +
          `tensors, received ${describe(notTensor)}`,
      );
    }
    const bad = out.find((t) => t.rank === 0 || t.shape[0] !== rows);
    if (bad !== undefined) {
      const shapes = out.map((t) => formatShape(t.shape)).join(', ');
      tf.dispose(out);
      throw new ShapeError(
        `${this.where}: expected the model to return one row per input row ` +
          `(${rows}), received output shapes ${shapes}`,
      );
    }
    const joined = tf.tidy(() => {
      const flat = out.map((t) =>
        tf.cast(tf.reshape(t, [rows, -1]), 'float32'),
      );
      return flat.length === 1 ? flat[0]! : tf.concat(flat, 1);
    });
    tf.dispose(out);
    const width = joined.shape[1] as number;
    const data = (await joined.data()) as Float32Array;
    joined.dispose();
    const at = data.findIndex((v) => !Number.isFinite(v));
    if (at >= 0) {
      // An attribution computed from it would be NaN or infinite too.
      throw new RangeError(
        `${this.where}: the model returned ${data[at]} for row ` +
          `${Math.floor(at / width)}, output ${at % width} of a batch of ` +
          `${rows} (the inputs, the background or the baseline hold a ` +
          `non-finite value, or the model produces one)`,
      );
    }
    if (this.outputs >= 0 && width !== this.outputs) {
      throw new ShapeError(
        `${this.where}: the model returned ${width} outputs per row after ` +
          `returning ${this.outputs} before`,
      );
    }
    this.outputs = width;
    this.calls += 1;
    this.rows += rows;
    return data;
  }
}

/** Repeats a batch-1 tensor to `rows` rows (a copy). */
function broadcast(t: tf.Tensor, rows: number): tf.Tensor {
  if (t.shape[0] === rows) return t;
  return tf.tile(t, [rows, ...t.shape.slice(1).map(() => 1)]);
}

/**
 * Checks an output index against the number of outputs per row.
 *
 * @throws RangeError when the index is out of range.
 */
export function checkOutput(
  where: string,
  output: number,
  outputs: number,
): void {
  if (!Number.isInteger(output) || output < 0 || output >= outputs) {
    throw new RangeError(
      `${where}: expected output in [0, ${outputs - 1}] (the model returns ` +
        `${outputs} values per row), received ${describe(output)}`,
    );
  }
}

/**
 * Copies each input's data to the host, `[rows * size]` per input.
 */
export async function hostData(
  layout: InputLayout,
  tensors: Record<string, tf.Tensor>,
): Promise<Record<string, Float32Array | Int32Array>> {
  const result: Record<string, Float32Array | Int32Array> = {};
  for (const spec of layout.inputs) {
    const t = tensors[spec.name] as tf.Tensor;
    const data = await t.data();
    result[spec.name] =
      data instanceof Int32Array || data instanceof Float32Array
        ? data
        : Float32Array.from(data as ArrayLike<number>);
  }
  return result;
}

/**
 * One output column of a model's outputs joined along the last axis, as a
 * differentiable `[rows]` tensor.
 *
 * @throws RangeError when the index is out of range.
 */
export function outputColumn(
  where: string,
  outputs: tf.Tensor | tf.Tensor[],
  output: number,
): tf.Tensor1D {
  const list = Array.isArray(outputs) ? outputs : [outputs];
  const rows = list[0]!.shape[0] as number;
  const flat = list.map((t) => tf.reshape(t, [rows, -1]));
  const width = flat.reduce((a, t) => a + (t.shape[1] as number), 0);
  checkOutput(where, output, width);
  const joined = flat.length === 1 ? flat[0]! : tf.concat(flat, 1);
  return tf.reshape(tf.slice(joined, [0, output], [rows, 1]), [rows]);
}

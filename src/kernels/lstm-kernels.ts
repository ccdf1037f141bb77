/**
 * Names, attributes, input layout and shared pieces of modalfuse's LSTM
 * sequence kernels (`ModalfuseLstmSequence` and its gradient,
 * `ModalfuseLstmSequenceGrad`), and their registration.
 *
 * The kernels run a whole stack of LSTM layers over a whole sequence below
 * the engine, composed from the backend's own kernels through a
 * {@link KernelScope}: no gradient tape, no `Tensor` objects and no engine
 * bookkeeping per step. The gradient kernel is a hand-written
 * backpropagation through time whose weight gradients are a few large
 * matrix products over all steps at once.
 *
 * Registration: the kernels add new kernel names (they replace nothing),
 * so {@link ensureLstmKernels} registers them for the active backend the
 * first time an LSTM runs there. Only the backends they are tested on get
 * them (`cpu`, `wasm`); elsewhere the LSTM encoder runs the same algorithm
 * with tfjs ops and autodiff.
 *
 * Not part of the public API.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { KernelScope } from './kernel-scope';

/** Kernel name of the forward pass. */
export const LSTM_FORWARD = 'ModalfuseLstmSequence';

/** Kernel name of the backward pass. */
export const LSTM_BACKWARD = 'ModalfuseLstmSequenceGrad';

/** Backends on which the LSTM kernels are registered and tested. */
export const LSTM_KERNEL_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/** Tensors saved per layer and step for the backward pass, in order. */
export const SAVED_PER_STEP = 7;

/** Index of each saved tensor within a step's group. */
export const SAVED = { a: 0, i: 1, f: 2, g: 3, o: 4, c: 5, tc: 6 } as const;

/**
 * Attributes of both kernels.
 *
 * Inputs (by name): `x` `[batch, time, features]`; `kernel{l}`,
 * `recurrent{l}`, `bias{l}` for every layer `l`; `mask` `[batch, time]`
 * (bool) when `hasMask`; `dropout{l}_{t}` `[batch, units_l]` for every layer
 * but the top and every step when `hasDropout` (values 0 or 1/keep, applied
 * to layer `l`'s output before layer `l + 1` reads it). The backward kernel
 * also takes `dy` (the gradient of the forward output) and `saved{k}`, the
 * forward's extra outputs.
 */
export interface LstmSequenceAttrs {
  /** Units of each layer, bottom first. */
  units: number[];
  /** Whether the output is the top layer's whole sequence. */
  returnSequences: boolean;
  /** Whether the `mask` input is present. */
  hasMask: boolean;
  /** Whether the `dropout{l}_{t}` inputs are present. */
  hasDropout: boolean;
  /** Forward only: also output what the backward pass needs. */
  save: boolean;
}

/**
 * Choices of composition that depend on the backend's kernels, made when
 * the kernels are registered.
 */
export interface LstmKernelOptions {
  /**
   * Above the bottom layer, carry each step's gradient back to the input
   * and to `h_{t-1}` with one product per gate against `[W; U]` and two
   * column slices of the result (`true`), or with separate products
   * against `W` and `U` (`false`). Same arithmetic; which is faster depends
   * on how expensive the backend's strided slice is compared with a
   * product call.
   */
  jointInputProducts: boolean;
}

/** One gate's stacked weights `[1, in + units, units]` and bias `[units]`. */
export interface GateWeights {
  weights: tf.TensorInfo;
  bias: tf.TensorInfo;
}

/** Scalar constants used by the gate arithmetic. */
export interface Constants {
  one: tf.TensorInfo;
  two: tf.TensorInfo;
}

/** Makes the scalar constants in `scope`. */
export function constants(scope: KernelScope): Constants {
  return {
    one: scope.constant(new Float32Array([1]), [], 'float32'),
    two: scope.constant(new Float32Array([2]), [], 'float32'),
  };
}

/** Reads a required named input or throws naming the kernel. */
export function input(
  where: string,
  inputs: tf.NamedTensorInfoMap,
  name: string,
): tf.TensorInfo {
  const found = inputs[name];
  if (found === undefined) {
    throw new Error(`${where}: expected an input '${name}', received none`);
  }
  return found;
}

/**
 * Splits a matrix `[rows, 4u]` into its four gate blocks (i, f, c, o),
 * each `[rows, u]` or, with `transposed`, `[u, rows]`. One transpose puts
 * the gates on the leading axis, so that every block is one contiguous
 * slice (the cpu backend's strided slice visits every element through
 * index arithmetic, about 100 times slower than its contiguous one).
 */
export function splitGates(
  scope: KernelScope,
  matrix: tf.TensorInfo,
  transposed = false,
): tf.TensorInfo[] {
  const [rows, four] = matrix.shape as [number, number];
  const units = four / 4;
  const gateMajor = transposed
    ? scope.transpose(matrix, [1, 0]) // [4u, rows]
    : scope.transpose(scope.reshape(matrix, [rows, 4, units]), [1, 0, 2]);
  const flat = scope.reshape(gateMajor, [4, rows * units]);
  return [0, 1, 2, 3].map((gate) =>
    scope.reshape(
      scope.slice(flat, [gate, 0], [1, rows * units]),
      transposed ? [units, rows] : [rows, units],
    ),
  );
}

/**
 * Splits a time-major `[time, ...]` tensor into `time` tensors of the
 * remaining shape.
 *
 * Deviation: one slice per step, not one `Unpack`; on wasm both copy the
 * whole source once per step (its slice reads all of it back from the
 * heap), which is why the kernels only ever split small tensors (the
 * input, the mask, `dy`) and keep everything else per step.
 */
export function splitTime(
  scope: KernelScope,
  timeMajor: tf.TensorInfo,
): tf.TensorInfo[] {
  const [time, ...rest] = timeMajor.shape as number[];
  const flat = rest.reduce((a, b) => a * b, 1);
  const rows = scope.reshape(timeMajor, [time as number, flat]);
  return Array.from({ length: time as number }, (_, t) =>
    scope.reshape(scope.slice(rows, [t, 0], [1, flat]), rest),
  );
}

/**
 * Per-step masks `[batch, 1]` (float32, 0 or 1) from a mask
 * `[batch, time]`.
 */
export function maskSteps(
  scope: KernelScope,
  mask: tf.TensorInfo,
): tf.TensorInfo[] {
  const batch = mask.shape[0] as number;
  const ones = scope.cast(scope.cast(mask, 'bool'), 'float32');
  return splitTime(scope, scope.transpose(ones, [1, 0])).map((m) =>
    scope.reshape(m, [batch, 1]),
  );
}

/**
 * Per-step conditions `[batch, units]` (bool) for `Select`, `true` where
 * the step is real, made once per width and reused.
 *
 * Deviation: the condition has the full shape. `Select` also takes one of
 * rank 1 (one per row), but the cpu backend's kernel then reads the wrong
 * elements (tfjs 4.22; `tf.where` never passes one), and on wasm a
 * broadcasting comparison is about 100 times slower than a broadcasting
 * product and a cast (700 us against 15 us on `[64, 64]`).
 */
export class KeepConditions {
  private readonly byWidth = new Map<number, tf.TensorInfo[]>();

  /**
   * @param scope - Scope that runs the kernels and owns the conditions.
   * @param masks - Per-step masks `[batch, 1]` from {@link maskSteps}.
   */
  constructor(
    private readonly scope: KernelScope,
    private readonly masks: tf.TensorInfo[],
  ) {}

  /** The condition at step `t` for tensors `[batch, units]`. */
  at(t: number, units: number): tf.TensorInfo {
    let conditions = this.byWidth.get(units);
    if (conditions === undefined) {
      const batch = (this.masks[0] as tf.TensorInfo).shape[0] as number;
      const ones = this.scope.constant(
        new Float32Array(batch * units).fill(1),
        [batch, units],
        'float32',
      );
      conditions = this.masks.map((m) =>
        this.scope.cast(this.scope.run('Multiply', { a: m, b: ones }), 'bool'),
      );
      this.byWidth.set(units, conditions);
    }
    return conditions[t] as tf.TensorInfo;
  }
}

/** Name of the dropout mask applied to layer `l`'s output at step `t`. */
export function dropoutName(layer: number, step: number): string {
  return `dropout${layer}_${step}`;
}

/** `a + b`, where either may be absent. */
export function addOptional(
  scope: KernelScope,
  a: tf.TensorInfo | null,
  b: tf.TensorInfo | null,
): tf.TensorInfo | null {
  if (a === null) return b;
  if (b === null) return a;
  return scope.run('Add', { a, b });
}

/**
 * Runs `body` in a fresh scope and keeps every tensor it returns (in
 * order; a tensor listed twice is kept as two copies), freeing all other
 * intermediates, also when `body` throws.
 */
export function withKernelScopeMulti(
  scope: KernelScope,
  body: (scope: KernelScope) => tf.TensorInfo[],
): tf.TensorInfo[] {
  try {
    return body(scope).map((t) => scope.keep(t));
  } finally {
    scope.dispose();
  }
}

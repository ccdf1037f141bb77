/**
 * Helpers shared by the kernel tests: seeded data, running a computation on
 * a named backend with plain arrays in and out, and the scale-relative
 * tolerance used against the cpu stock reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers the gradients
import { expect } from 'vitest';

import { ensureChainedOps } from '../../src/internal/chained-ops';
import { Random } from '../../src/internal/random';
import { uninstallKernels } from '../../src/kernels';
import { expectClose } from '../helpers';

ensureChainedOps();

/** The tolerance of every comparison with the cpu stock reference. */
export const TOLERANCE = 1e-5;

/** Plain data for a tensor that can be rebuilt on any backend. */
export interface Data {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

/** Standard normal float32 data from a seeded stream. */
export function normal(shape: number[], seed: number): Data {
  const random = new Random(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Float32Array.from({ length: size }, () => random.normal());
  return { values, shape, dtype: 'float32' };
}

/** Data from explicit values. */
export function data(
  values: number[],
  shape: number[],
  dtype: 'float32' | 'int32' = 'float32',
): Data {
  const typed =
    dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
  return { values: typed, shape, dtype };
}

/** Builds a tensor from `d` on the active backend. */
export function tensor(d: Data): tf.Tensor {
  return tf.tensor(d.values, d.shape, d.dtype);
}

/**
 * Switches to `backend`, builds `inputs` there, runs `fn` and returns the
 * values of its outputs; every tensor made is disposed.
 */
export async function runOn(
  backend: string,
  inputs: Data[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const xs = inputs.map(tensor);
  try {
    const out = fn(...xs);
    const outs = Array.isArray(out) ? out : [out];
    const values = outs.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose(outs);
    return values;
  } finally {
    tf.dispose(xs);
  }
}

/**
 * The cpu backend's result with tfjs's stock kernels: modalfuse's kernels
 * are uninstalled first (tests install them again where they need them).
 */
export function stockCpu(
  inputs: Data[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  uninstallKernels();
  return runOn('cpu', inputs, fn);
}

/**
 * Asserts `actual` equals `expected` to `TOLERANCE` times the largest
 * magnitude in `expected` (at least 1), element by element.
 */
export function expectScaledClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
): void {
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  expectClose(actual, expected, { atol: TOLERANCE * scale, rtol: 0 });
}

/**
 * Asserts that neither tensors nor backend data leak over repeated calls of
 * `fn` on the active backend.
 */
export function expectNoLeaks(fn: () => void, repeats = 3): void {
  fn();
  const tensors = tf.memory().numTensors;
  const dataIds = tf.backend().numDataIds();
  for (let i = 0; i < repeats; i++) fn();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.backend().numDataIds()).toBe(dataIds);
}

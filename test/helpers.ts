/** Shared assertions for modalfuse tests. */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Nested number arrays, as the JSON fixtures store them. */
export type Nested = number | Nested[];

/** Flattens a nested array, typed array or tensor into plain numbers. */
export function flat(value: Nested | ArrayLike<number> | tf.Tensor): number[] {
  if (value instanceof tf.Tensor) return Array.from(value.dataSync());
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return (value as Nested[]).flatMap((v) => flat(v));
  return Array.from(value as ArrayLike<number>);
}

/**
 * Asserts |actual - expected| <= atol + rtol * |expected| element-wise and
 * reports the worst element when it fails.
 */
export function expectClose(
  actual: Nested | ArrayLike<number> | tf.Tensor,
  expected: Nested | ArrayLike<number> | tf.Tensor,
  { atol = 1e-5, rtol = 1e-5 }: { atol?: number; rtol?: number } = {},
): void {
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length, 'element count').toBe(e.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const ai = a[i] as number;
    const ei = e[i] as number;
    const excess = Math.abs(ai - ei) - (atol + rtol * Math.abs(ei));
    if (
      !(excess <= 0) &&
      (worst < 0 || excess > worstExcess || isNaN(excess))
    ) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `element ${worst}: actual ${a[worst]} vs expected ${e[worst]} ` +
        `(atol ${atol}, rtol ${rtol})`,
    );
  }
}

/**
 * Runs `fn` once to warm up, then `repeats` more times, and asserts that the
 * number of live tensors did not change.
 */
export async function expectNoLeak(
  fn: () => unknown,
  repeats = 3,
): Promise<void> {
  await disposeResult(await fn());
  const before = tf.memory().numTensors;
  for (let i = 0; i < repeats; i++) await disposeResult(await fn());
  expect(tf.memory().numTensors).toBe(before);
}

async function disposeResult(result: unknown): Promise<void> {
  if (result instanceof tf.Tensor) result.dispose();
  else if (Array.isArray(result)) {
    for (const r of result) if (r instanceof tf.Tensor) r.dispose();
  }
}

/** Reads a JSON fixture from test/fixtures. */
export async function readFixture<T = unknown>(name: string): Promise<T> {
  const { readFile } = await import('node:fs/promises');
  const url = new URL(`./fixtures/${name}`, import.meta.url);
  return JSON.parse(await readFile(url, 'utf8')) as T;
}

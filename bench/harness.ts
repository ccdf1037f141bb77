/**
 * Shared timing helpers for the benchmarks: interleaved repeats, medians
 * and ratios measured in the same run.
 */
import { mkdir, writeFile } from 'node:fs/promises';

import * as tf from '@tensorflow/tfjs-core';

/** min/median/max of a list of milliseconds. */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** Summary of a list of samples. */
export function spread(samples: number[]): Spread {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]! };
}

/**
 * Times candidates against a baseline, alternating them in every repeat so
 * that machine noise hits both alike. Each function runs once untimed
 * first (warm-up), then `repeats` timed times.
 */
export async function compare(
  fns: Record<string, () => Promise<unknown> | unknown>,
  repeats: number,
): Promise<Record<string, Spread & { samples: number[] }>> {
  const names = Object.keys(fns);
  for (const n of names) await fns[n]!();
  const samples: Record<string, number[]> = Object.fromEntries(
    names.map((n) => [n, []]),
  );
  for (let r = 0; r < repeats; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const n of order) {
      const t0 = performance.now();
      await fns[n]!();
      samples[n]!.push(performance.now() - t0);
    }
  }
  return Object.fromEntries(
    names.map((n) => [n, { ...spread(samples[n]!), samples: samples[n]! }]),
  );
}

/** Ratio of medians with the spread of per-repeat ratios. */
export function ratio(
  a: { samples: number[]; median: number },
  b: { samples: number[]; median: number },
): Spread & { ofMedians: number } {
  const per = a.samples.map((v, i) => v / b.samples[i]!);
  return { ofMedians: a.median / b.median, ...spread(per) };
}

/** Tensor count and backend memory, for before/after reports. */
export function memorySnapshot(): { numTensors: number; numBytes: number } {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}

/** Writes one benchmark's JSON into bench/results/<name>.json. */
export async function writeResult(
  name: string,
  result: unknown,
): Promise<void> {
  const dir = new URL('./results/', import.meta.url);
  await mkdir(dir, { recursive: true });
  await writeFile(
    new URL(`${name}.json`, dir),
    `${JSON.stringify(result, null, 2)}\n`,
  );
}

/** A short description of the machine, for the results. */
export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: (globalThis as { navigator?: { hardwareConcurrency?: number } })
      .navigator?.hardwareConcurrency,
    date: new Date().toISOString(),
  };
}

/**
 * Shared timing helpers for the benchmarks: interleaved repeats, medians
 * and ratios measured in the same run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';

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

/**
 * The widest ratio range of two series that were not interleaved (so
 * their repeats cannot be paired): min over max, median over median, max
 * over min.
 */
export function rangeRatio(a: Spread, b: Spread): Spread {
  return {
    min: a.min / b.max,
    median: a.median / b.median,
    max: a.max / b.min,
  };
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

/**
 * True for a short run: `--quick` on the command line or `BENCH_QUICK=1`
 * (which `bench/run.ts --quick` sets for every bench it starts).
 */
export function isQuick(): boolean {
  return process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
}

/**
 * Timed repeats: `BENCH_REPEATS` when set, else `quickValue` in a quick
 * run, else `fallback`.
 */
export function repeatsFor(fallback: number, quickValue = 2): number {
  const env = Number(process.env.BENCH_REPEATS);
  if (Number.isInteger(env) && env > 0) return env;
  return isQuick() ? quickValue : fallback;
}

/**
 * One line of the summary table that `bench/run.ts` prints: a time of
 * modalfuse's against a baseline measured in the same run, and their ratio
 * (below 1 means modalfuse is faster).
 */
export interface Headline {
  /** What was measured, e.g. `'LSTM 2x64 train step'`. */
  case: string;
  /** Backend name. */
  backend: string;
  /** Median milliseconds of modalfuse's version. */
  oursMs: number;
  /** Median milliseconds of the baseline, or null when it cannot run. */
  baselineMs: number | null;
  /** What the baseline is, e.g. `'tfjs-layers'`. */
  baseline: string;
  /** Per-repeat ratio ours / baseline, min / median / max. */
  ratio: Spread | null;
  /** The goal of the issue this line checks, if any, e.g. `'<= 0.5'`. */
  goal?: string;
  /** Memory of one call of modalfuse's version and of the baseline. */
  memory?: { ours: StepMemory; baseline?: StepMemory };
}

/** What {@link memoryOf} reports. */
export interface StepMemory {
  before: { numTensors: number; numBytes: number };
  after: { numTensors: number; numBytes: number };
  peakBytesAbove: number;
}

/** A headline from two `compare` results. */
export function headline(
  name: string,
  backend: string,
  ours: Spread & { samples: number[] },
  base: (Spread & { samples: number[] }) | null,
  baseline: string,
  goal?: string,
): Headline {
  const line: Headline = {
    case: name,
    backend,
    oursMs: ours.median,
    baselineMs: base?.median ?? null,
    baseline,
    ratio: base === null ? null : spreadOnly(ratio(ours, base)),
  };
  if (goal !== undefined) line.goal = goal;
  return line;
}

function spreadOnly({ min, median, max }: Spread): Spread {
  return { min, median, max };
}

/**
 * Tensor count and bytes before and after one call of `fn`, and the peak
 * bytes during it above the starting point, as tfjs's profiler sees them.
 * Temporaries that modalfuse's composite kernels make below the engine are
 * freed before the kernel returns and are not counted.
 */
export async function memoryOf(
  fn: () => Promise<unknown> | unknown,
): Promise<StepMemory> {
  const before = memorySnapshot();
  let result: unknown;
  const info = await tf.profile(async () => {
    result = await fn();
  });
  if (result instanceof tf.Tensor) result.dispose();
  return {
    before,
    after: memorySnapshot(),
    peakBytesAbove: info.peakBytes - before.numBytes,
  };
}

/** A short description of the machine, for the results. */
export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverage: loadavg().map((v) => Number(v.toFixed(2))),
    date: new Date().toISOString(),
  };
}

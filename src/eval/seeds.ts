/**
 * Repeating an experiment over seeds and summarising the spread.
 */
import { assertInteger } from '../internal/assert';
import { describe } from '../internal/errors';

/** Spread of one metric over seeds. */
export interface SeedSpread {
  /** Mean over seeds. */
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single seed. */
  std: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Seed that gave the smallest value. */
  minSeed: number;
  /** Seed that gave the largest value. */
  maxSeed: number;
  /** Number of seeds. */
  n: number;
}

/** One seed's metrics. */
export interface SeedRun<T extends Record<string, number>> {
  /** The seed. */
  seed: number;
  /** Its metrics. */
  values: T;
}

/** Result of {@link repeatOverSeeds}. */
export interface SeedRuns<T extends Record<string, number>> {
  /** Every seed's metrics, in the order run. */
  runs: SeedRun<T>[];
  /** The spread of each metric. */
  summary: Record<keyof T & string, SeedSpread>;
}

/**
 * Runs `experiment` once per seed, one after the other, and summarises each
 * metric's spread (mean, standard deviation, extremes and which seed gave
 * them). One seed's table is one draw; report the spread.
 *
 * @param seeds - The seeds, e.g. `[0, 1, 2]`.
 * @param experiment - Trains and evaluates with a seed, returning named
 *   metrics (every run must return the same names).
 * @returns Per-seed metrics and their summary.
 * @throws RangeError for an empty or non-integer seed list, or when runs
 *   return different metric names or non-finite values.
 */
export async function repeatOverSeeds<T extends Record<string, number>>(
  seeds: readonly number[],
  experiment: (seed: number) => Promise<T> | T,
): Promise<SeedRuns<T>> {
  if (!Array.isArray(seeds) || seeds.length === 0) {
    throw new RangeError(
      'repeatOverSeeds: expected a non-empty array of integer seeds, ' +
        `received ${JSON.stringify(seeds)}`,
    );
  }
  seeds.forEach((s, i) =>
    assertInteger('repeatOverSeeds', `seeds[${i}]`, s, 0),
  );
  const runs: SeedRun<T>[] = [];
  for (const seed of seeds) runs.push({ seed, values: await experiment(seed) });
  return { runs, summary: summarizeSeeds(runs) };
}

/**
 * Summarises per-seed metrics (see {@link repeatOverSeeds}).
 *
 * @param runs - One entry per seed.
 * @returns The spread of each metric.
 */
export function summarizeSeeds<T extends Record<string, number>>(
  runs: readonly SeedRun<T>[],
): Record<keyof T & string, SeedSpread> {
  const where = 'summarizeSeeds';
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new RangeError(
      `${where}: expected a non-empty array of runs, received ` +
        describe(runs),
    );
  }
  const bad = runs.findIndex(
    (r) =>
      r === null ||
      typeof r !== 'object' ||
      r.values === null ||
      typeof r.values !== 'object',
  );
  if (bad >= 0) {
    throw new TypeError(
      `${where}: expected each run to be ` +
        `{ seed, values: { metric: number } }, ` +
        `received ${describe(runs[bad])} at index ${bad}`,
    );
  }
  const names = Object.keys(runs[0]!.values).sort();
  const summary = {} as Record<keyof T & string, SeedSpread>;
  for (const run of runs) {
    const keys = Object.keys(run.values).sort();
    if (keys.join(',') !== names.join(',')) {
      throw new RangeError(
        `${where}: expected every run to report [${names.join(', ')}], ` +
          `seed ${run.seed} reported [${keys.join(', ')}]`,
      );
    }
  }
  for (const name of names) {
    const values = runs.map((r) => r.values[name] as number);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new RangeError(
        `${where}: expected finite values of '${name}', received ` +
          `${values[bad]} for seed ${runs[bad]!.seed}`,
      );
    }
    const n = values.length;
    const mean = values.reduce((s, v) => s + v, 0) / n;
    const variance =
      n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
    let lo = 0;
    let hi = 0;
    values.forEach((v, i) => {
      if (v < values[lo]!) lo = i;
      if (v > values[hi]!) hi = i;
    });
    summary[name as keyof T & string] = {
      mean,
      std: Math.sqrt(variance),
      min: values[lo]!,
      max: values[hi]!,
      minSeed: runs[lo]!.seed,
      maxSeed: runs[hi]!.seed,
      n,
    };
  }
  return summary;
}

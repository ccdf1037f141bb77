/**
 * Command-line options of the co-learning example.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Default data folder: ../shared/data/daily-news-stock-djia (repo root). */
export const DEFAULT_DATA = fileURLToPath(
  new URL('../../../shared/data/daily-news-stock-djia', import.meta.url),
);

/** Everything a run needs, after defaults. */
export interface CoLearningOptions {
  /** Folder with DJIA_table.csv and Combined_News_DJIA.csv. */
  data: string;
  /** Share of the training days whose label is kept. */
  labelFraction: number;
  /** Epochs of each training (every co-training round retrains). */
  epochs: number;
  /** Co-training rounds at most. */
  rounds: number;
  /** Pseudo-labels each view gives per round. */
  perRound: number;
  /** Confidence a pseudo-label needs. */
  threshold: number;
  /** Sessions in each price window. */
  window: number;
  /** Columns of the hashed headline features. */
  textDim: number;
  /** tfjs backend. */
  backend: 'cpu' | 'wasm';
  /** First seed of the labelled subset, the weights and the shuffling. */
  seed: number;
  /** Seeds run, from `seed` on. */
  seeds: number;
  /** Small and fast, for tests. */
  quick: boolean;
  /** Sessions kept by --quick. */
  lastDays?: number;
}

/** The help text. */
export const USAGE = `Usage: npx tsx examples/colearning/main.ts [options]

Predicts the direction of the DJIA's next-day move from two views of each
trading day, its 20-day price window (LSTM) and its top-25 r/worldnews
headlines (hashed n-grams + MLP), keeping the labels of only 5% of the
training days. Compares each view alone, both views fused, and
Blum-Mitchell co-training on the held-out test days.

Options:
  --data DIR        folder with DJIA_table.csv and Combined_News_DJIA.csv
                    (default ../shared/data/daily-news-stock-djia)
  --labels F        share of training labels kept (default 0.05)
  --epochs N        epochs per training (default 30; --quick: 5)
  --rounds N        co-training rounds at most (default 10; --quick: 2)
  --per-round N     pseudo-labels per view per round (default 10)
  --threshold P     confidence a pseudo-label needs (default 0.6; --quick: 0.5)
  --backend NAME    cpu or wasm (default wasm)
  --seed N          first seed (default 0)
  --seeds N         seeds to run, each with its own labelled days and
                    weights (default 3; --quick: 1)
  --quick           last 400 sessions, short training, for tests
  --help            this text
`;

/**
 * Parses argv into options.
 *
 * @throws Error with a one-line message for unknown or invalid options.
 */
export function parseOptions(argv: string[]): CoLearningOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        labels: { type: 'string' },
        epochs: { type: 'string' },
        rounds: { type: 'string' },
        'per-round': { type: 'string' },
        threshold: { type: 'string' },
        backend: { type: 'string' },
        seed: { type: 'string' },
        seeds: { type: 'string' },
        quick: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (parsed.help) return 'help';
  const number = (
    name: string,
    value: string | undefined,
    fallback: number,
    { min, max, integer }: { min: number; max: number; integer: boolean },
  ) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (
      !Number.isFinite(n) ||
      n < min ||
      n > max ||
      (integer && !Number.isInteger(n))
    ) {
      const kind = integer ? 'an integer' : 'a number';
      throw new Error(
        `--${name}: expected ${kind} in [${min}, ${max}], received '${value}'`,
      );
    }
    return n;
  };
  const int = { integer: true, max: Number.MAX_SAFE_INTEGER };
  const backend = parsed.backend ?? 'wasm';
  if (backend !== 'cpu' && backend !== 'wasm') {
    throw new Error(`--backend: expected cpu or wasm, received '${backend}'`);
  }
  const quick = parsed.quick ?? false;
  return {
    data: parsed.data ?? DEFAULT_DATA,
    labelFraction: number('labels', parsed.labels, 0.05, {
      min: 0.001,
      max: 1,
      integer: false,
    }),
    epochs: number('epochs', parsed.epochs, quick ? 5 : 30, { ...int, min: 1 }),
    rounds: number('rounds', parsed.rounds, quick ? 2 : 10, { ...int, min: 0 }),
    perRound: number('per-round', parsed['per-round'], 10, { ...int, min: 1 }),
    threshold: number('threshold', parsed.threshold, quick ? 0.5 : 0.6, {
      min: 0,
      max: 1,
      integer: false,
    }),
    window: 20,
    textDim: quick ? 256 : 512,
    backend,
    seed: number('seed', parsed.seed, 0, { ...int, min: 0 }),
    seeds: number('seeds', parsed.seeds, quick ? 1 : 3, { ...int, min: 1 }),
    quick,
    ...(quick ? { lastDays: 400 } : {}),
  };
}

/**
 * Command-line options of the stock-prediction example.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { FUSION_CHOICES, type FusionChoice } from './models';

/** Default price file: the S&P 500 series that vega-datasets ships. */
export const DEFAULT_PRICES = fileURLToPath(
  new URL(
    '../../node_modules/vega-datasets/data/sp500-2000.csv',
    import.meta.url,
  ),
);

/**
 * Epoch cap of the default run, chosen so that `npm run example` finishes
 * well within ten minutes on a 2-core machine (wasm backend): about 4.5
 * minutes on an idle machine, with room for a busy one (4 epochs took 6
 * minutes idle and up to 10 under load). `--full` uses the spec's 50.
 */
export const DEFAULT_EPOCHS = 3;

/** Epoch cap of the spec (S8), used by `--full`. */
export const FULL_EPOCHS = 50;

/** Sessions kept by `--quick`. */
export const QUICK_ROWS = 900;

/** Seeds of the `--full` run (spec-style evaluation needs a spread). */
export const FULL_SEEDS = 3;

/** Everything the run needs, after defaults. */
export interface RunOptions {
  prices: string;
  flows?: string;
  epochs: number;
  patience: number;
  batchSize: number;
  window: number;
  horizon: number;
  backend: 'cpu' | 'wasm';
  seed: number;
  /** Number of seeds: seed, seed + 1, ... */
  seeds: number;
  /** Feature variants to run, in order. */
  features: ('raw' | 'relative')[];
  /** Walk-forward folds; 0 means the spec's single split. */
  walkForward: number;
  /** Feature-fusion operators to train (the thesis: concat). */
  fusion: FusionChoice[];
  /** Test predictions of the fused model to explain (0: none). */
  explain: number;
  out: string;
  quick: boolean;
  full: boolean;
  lastRows?: number;
}

/** The help text. */
export const USAGE = `Usage: npm run example -- [options]

Reproduces the 2022 thesis design (LSTM on prices and indicators, CNN on
candlestick charts, feature fusion, decision fusion) and compares it with
naive baselines on the test period.

Options:
  --prices FILE     daily OHLCV CSV (default: S&P 500 2000-2020 from vega-datasets)
  --flows FILE      institutional buy/sell per investor type (TWSE long format)
  --epochs N        epoch cap per model (default ${DEFAULT_EPOCHS}; --full: ${FULL_EPOCHS})
  --window W        input window in sessions (default 20)
  --horizon H       label horizon in sessions (default 20)
  --backend NAME    cpu or wasm (default wasm)
  --seed N          first seed of weights, dropout and shuffling (default 0)
  --seeds N         train every model with N seeds: seed..seed+N-1 (default 1;
                    --full: ${FULL_SEEDS}) and report mean, sd, min and max
  --features MODE   raw (the spec), relative (price levels divided by the
                    window's last close; a departure from the thesis) or both
                    (default raw)
  --walk-forward K  K expanding-window folds instead of the spec's split
  --fusion KIND     feature-fusion operator: concat (the thesis), bilinear,
                    lowrank, tensor, lowrank-tensor, gated, attention, hybrid,
                    a comma-separated list, or all (default concat)
  --explain N       explain N test predictions of the feature-fusion model
                    (modality Shapley, KernelSHAP over the price window,
                    Grad-CAM over the chart) into DIR/explanations
  --out DIR         output directory (default examples/stock-prediction/out)
  --quick           ${QUICK_ROWS} sessions and 2 epochs, for tests
  --full            the spec's cap of ${FULL_EPOCHS} epochs with early stopping and
                    ${FULL_SEEDS} seeds
  --news PATH       run thesis 2 instead (news sentiment and prices on the
                    DJIA headlines; its own options: --news PATH --help)
  --help            this text
`;

/**
 * Parses argv into options.
 *
 * @throws Error with a one-line message for unknown or invalid options.
 */
export function parseOptions(argv: string[]): RunOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        prices: { type: 'string' },
        flows: { type: 'string' },
        epochs: { type: 'string' },
        window: { type: 'string' },
        horizon: { type: 'string' },
        backend: { type: 'string' },
        seed: { type: 'string' },
        seeds: { type: 'string' },
        features: { type: 'string' },
        'walk-forward': { type: 'string' },
        fusion: { type: 'string' },
        explain: { type: 'string' },
        out: { type: 'string' },
        quick: { type: 'boolean' },
        full: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new Error(
      `${(error as Error).message} (run with --help to see the options)`,
    );
  }
  if (parsed.help) return 'help';
  if (parsed.quick && parsed.full) {
    throw new Error('--quick and --full cannot be combined');
  }

  const int = (
    name: string,
    value: string | undefined,
    fallback: number,
    min: number,
  ) => {
    if (value === undefined) return fallback;
    const n = /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < min) {
      throw new Error(
        `--${name}: expected an integer >= ${min}, received '${value}'`,
      );
    }
    return n;
  };
  const backend = parsed.backend ?? 'wasm';
  if (backend !== 'cpu' && backend !== 'wasm') {
    throw new Error(`--backend: expected cpu or wasm, received '${backend}'`);
  }
  const quick = parsed.quick ?? false;
  const full = parsed.full ?? false;
  const window = int('window', parsed.window, 20, 2);
  const featureMode = parsed.features ?? 'raw';
  if (!['raw', 'relative', 'both'].includes(featureMode)) {
    throw new Error(
      `--features: expected raw, relative or both, received '${featureMode}'`,
    );
  }
  const fusionText = parsed.fusion ?? 'concat';
  const fusion =
    fusionText === 'all'
      ? [...FUSION_CHOICES]
      : fusionText.split(',').map((f) => f.trim());
  const unknown = fusion.find(
    (f) => !FUSION_CHOICES.includes(f as FusionChoice),
  );
  if (unknown !== undefined || fusion.length === 0) {
    throw new Error(
      `--fusion: expected all or a list of ${FUSION_CHOICES.join(', ')}, ` +
        `received '${fusionText}'`,
    );
  }
  const features: ('raw' | 'relative')[] =
    featureMode === 'both'
      ? ['raw', 'relative']
      : [featureMode as 'raw' | 'relative'];
  return {
    prices: parsed.prices ?? DEFAULT_PRICES,
    ...(parsed.flows === undefined ? {} : { flows: parsed.flows }),
    epochs: int(
      'epochs',
      parsed.epochs,
      quick ? 2 : full ? FULL_EPOCHS : DEFAULT_EPOCHS,
      1,
    ),
    patience: 5,
    batchSize: 64,
    window,
    horizon: int('horizon', parsed.horizon, 20, 1),
    backend,
    seed: int('seed', parsed.seed, 0, 0),
    seeds: int('seeds', parsed.seeds, full ? FULL_SEEDS : 1, 1),
    features,
    walkForward: int('walk-forward', parsed['walk-forward'], 0, 1),
    fusion: [...new Set(fusion)] as FusionChoice[],
    explain: int('explain', parsed.explain, 0, 0),
    out: parsed.out ?? fileURLToPath(new URL('./out', import.meta.url)),
    quick,
    full,
    ...(quick ? { lastRows: QUICK_ROWS } : {}),
  };
}

/**
 * Options of the thesis-2 run, with the spec's defaults and the quick
 * settings for tests.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { DEFAULT_PHRASEBANK } from '../../phrasebank/data';
import type { DjiaPaths } from './data';
import type { TextFusion } from './models';

/** Default data folder: ../shared/data/daily-news-stock-djia. */
export const DEFAULT_DJIA = fileURLToPath(
  new URL('../../../../shared/data/daily-news-stock-djia', import.meta.url),
);

/** Everything {@link runThesis2} needs. */
export interface Thesis2Options {
  /** Folder with DJIA_table.csv and Combined_News_DJIA.csv, or both paths. */
  data: string | DjiaPaths;
  /** Input window in days (spec 10). */
  window: number;
  /** Label horizon in days (spec 10). */
  horizon: number;
  /** Epoch cap per model (spec 50). */
  epochs: number;
  /** Early-stopping patience (spec 5). */
  patience: number;
  /** Batch size (spec 64). */
  batchSize: number;
  /** Seeds (spec 0, 1, 2). */
  seeds: number[];
  /** Output folder for results.json, report.md and table.txt. */
  out: string;
  /** Fewer epochs, one seed: for tests and a first look. */
  quick: boolean;
  /** tfjs backend. */
  backend: 'cpu' | 'wasm';
  /** Text-encoder variants past the thesis; empty for none. */
  text: TextFusion[];
  /** Also train the news models on news shuffled across days. */
  placebo: boolean;
  /**
   * Explain this many test predictions of the feature-fusion model of the
   * first seed (modality Shapley of price and news, KernelSHAP over the
   * price window) into `out/explanations`; 0 for none.
   */
  explain: number;
  /** FinancialPhraseBank-v1.0 folder, for the headline encoder. */
  phrasebank: string;
  /** Epoch cap of the headline encoder. */
  encoderEpochs: number;
  /** Keep only the last this many days of both files (tests). */
  lastDays?: number;
}

/** The spec's settings, plus both text variants and the placebo. */
export const DEFAULT_THESIS2: Thesis2Options = {
  data: DEFAULT_DJIA,
  window: 10,
  horizon: 10,
  epochs: 50,
  patience: 5,
  batchSize: 64,
  seeds: [0, 1, 2],
  out: fileURLToPath(new URL('./out', import.meta.url)),
  quick: false,
  backend: 'wasm',
  text: ['cross-attention', 'concat'],
  placebo: true,
  explain: 0,
  phrasebank: DEFAULT_PHRASEBANK,
  encoderEpochs: 10,
};

/**
 * Fills in defaults; `quick` caps epochs at 2, runs one seed and trains
 * the headline encoder for 2 epochs, unless those are given.
 *
 * @param partial - Any options.
 * @returns Complete options.
 */
export function thesis2Options(
  partial: Partial<Thesis2Options> = {},
): Thesis2Options {
  const quick = partial.quick ?? false;
  const given = Object.fromEntries(
    Object.entries(partial).filter(([, v]) => v !== undefined),
  ) as Partial<Thesis2Options>;
  return {
    ...DEFAULT_THESIS2,
    ...(quick ? { epochs: 2, seeds: [0], encoderEpochs: 2 } : {}),
    ...given,
    quick,
  };
}

/** The help text of main.ts. */
export const THESIS2_USAGE = `Usage: npm run example -- --news PATH [options]
   or: npx tsx examples/stock-prediction/thesis2/main.ts [options]

Thesis 2 (../shared/reference/thesis2-spec.md): daily VADER sentiment of the
DJIA headlines fused with prices in 10-day windows, predicting the highest
high and lowest low of the next 10 days; then headline embeddings fused by
cross-attention or concat, and a placebo with the news shuffled across days.

Options:
  --news PATH       folder with DJIA_table.csv and Combined_News_DJIA.csv,
                    or the headline file with DJIA_table.csv beside it
                    (default ${DEFAULT_DJIA})
  --epochs N        epoch cap per model (default 50, early stopping patience 5)
  --seeds N         seeds 0..N-1 (default 3)
  --seed N          first seed (default 0)
  --text MODE       cross-attention, concat, both or none (default both)
  --no-placebo      skip the placebo run
  --explain N       explain N test predictions of the feature-fusion model
                    (first seed) into DIR/explanations
  --phrasebank DIR  FinancialPhraseBank-v1.0 folder for the headline encoder
  --backend NAME    cpu or wasm (default wasm)
  --out DIR         output folder (default examples/stock-prediction/thesis2/out)
  --quick           2 epochs, one seed (about 5 minutes)
  --help            this text
`;

/**
 * Parses main.ts's arguments.
 *
 * @returns The options, or 'help'.
 * @throws Error with one line for an unknown or invalid option.
 */
export function parseThesis2Args(argv: string[]): Thesis2Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      news: { type: 'string' },
      epochs: { type: 'string' },
      seeds: { type: 'string' },
      seed: { type: 'string' },
      text: { type: 'string' },
      'no-placebo': { type: 'boolean' },
      explain: { type: 'string' },
      phrasebank: { type: 'string' },
      backend: { type: 'string' },
      out: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const int = (name: string, value: string | undefined, min: number) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new Error(
        `--${name}: expected an integer >= ${min}, received '${value}'`,
      );
    }
    return n;
  };
  const text = values.text ?? 'both';
  const modes: Record<string, TextFusion[]> = {
    both: ['cross-attention', 'concat'],
    'cross-attention': ['cross-attention'],
    concat: ['concat'],
    none: [],
  };
  if (!(text in modes)) {
    throw new Error(
      `--text: expected cross-attention, concat, both or none, received '${text}'`,
    );
  }
  const backend = values.backend ?? 'wasm';
  if (backend !== 'cpu' && backend !== 'wasm') {
    throw new Error(`--backend: expected cpu or wasm, received '${backend}'`);
  }
  const count = int('seeds', values.seeds, 1);
  const first = int('seed', values.seed, 0) ?? 0;
  return thesis2Options({
    quick: values.quick ?? false,
    backend,
    text: modes[text],
    placebo: !(values['no-placebo'] ?? false),
    ...(values.explain === undefined
      ? {}
      : { explain: int('explain', values.explain, 1) as number }),
    ...(values.news === undefined ? {} : { data: values.news }),
    ...(values.phrasebank === undefined
      ? {}
      : { phrasebank: values.phrasebank }),
    ...(values.out === undefined ? {} : { out: values.out }),
    ...(values.epochs === undefined
      ? {}
      : { epochs: int('epochs', values.epochs, 1) as number }),
    ...(count === undefined && values.seed === undefined
      ? {}
      : {
          seeds: Array.from(
            { length: count ?? (values.quick ? 1 : 3) },
            (_, i) => first + i,
          ),
        }),
  });
}
